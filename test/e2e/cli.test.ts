// The faultline command as a user runs it: `validate` exit codes, and a real process that shuts
// down gracefully on SIGTERM, finishing the request it is in the middle of.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_TEST_CONFIG } from '../helpers/faultline.js';
import { MAIN as main, REPO as repo, startFaultlineProcess } from '../helpers/faultline-process.js';
import { tracesProtobuf } from '../helpers/sdk-payloads.js';
const fixture = (name: string) => path.join(repo, 'test/fixtures/config', name);

describe('faultline validate', () => {
  it('exits 0 for the bundled otel-config.yaml', () => {
    const run = spawnSync(process.execPath, [main, 'validate', '--config', path.join(repo, 'otel-config.yaml')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /is valid/);
  });

  it('prints warnings with their path and still exits 0 for a config that is valid but probably not meant', () => {
    const run = spawnSync(process.execPath, [main, 'validate', '--config', fixture('warn-cooldown-shorter-than-interval.yaml')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /is valid/);
    assert.match(run.stderr, /^exporters\.alerts\.rules\[0\]\.cooldown: cooldown 10000ms is shorter than evaluation_interval 30000ms/m);
  });

  it('exits 2 and lists every problem with its path', () => {
    const run = spawnSync(process.execPath, [main, 'validate', '--config', fixture('bad-unknown-key.yaml')], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^\S+: unknown key/m);
  });

  it('exits 2 for an unknown command', () => {
    const run = spawnSync(process.execPath, [main, 'frobnicate'], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /usage: faultline/);
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight request after SIGTERM, then exits 0', async () => {
    const { child, addresses, logs, exited } = await startFaultlineProcess(DEFAULT_TEST_CONFIG);
    const body = await tracesProtobuf('in-flight', 1);
    const half = Math.floor(body.length / 2);
    let sendRest: () => void = () => {};
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(body.subarray(0, half));
        sendRest = () => {
          controller.enqueue(body.subarray(half));
          controller.close();
        };
      },
    });
    const reply = fetch(`http://127.0.0.1:${addresses['otlp.http'].port}/v1/traces`, {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'application/x-protobuf' },
      duplex: 'half',
    } as RequestInit);
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    sendRest();
    assert.equal((await reply).status, 200);
    assert.equal(await exited, 0);
    assert.ok(logs.some((line) => line.msg === 'Faultline stopped'));
    // Faultline's own logs are structured JSON throughout.
    assert.ok(logs.every((line) => typeof line.level === 'string' && typeof line.msg === 'string'));
  });
});
