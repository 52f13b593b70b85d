// The faultline command as a user runs it: `validate` exit codes, and a real process that shuts
// down gracefully on SIGTERM, finishing the request it is in the middle of.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_TEST_CONFIG } from '../helpers/faultline.js';
import { tracesProtobuf } from '../helpers/sdk-payloads.js';

const repo = new URL('../../../', import.meta.url).pathname;
const main = path.join(repo, 'dist/src/main.js');
const fixture = (name: string) => path.join(repo, 'test/fixtures/config', name);

describe('faultline validate', () => {
  it('exits 0 for the bundled otel-config.yaml', () => {
    const run = spawnSync(process.execPath, [main, 'validate', '--config', path.join(repo, 'otel-config.yaml')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /is valid/);
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

/** Starts `faultline --config` on free ports and resolves with its addresses once it has started. */
async function startProcess(): Promise<{ child: ChildProcessWithoutNullStreams; addresses: Record<string, { port: number }>; logs: any[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-cli-'));
  const config = path.join(dir, 'otel-config.yaml');
  writeFileSync(config, DEFAULT_TEST_CONFIG);
  const child = spawn(process.execPath, [main, '--config', config]);
  const logs: any[] = [];
  let buffered = '';
  const started = new Promise<Record<string, { port: number }>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Faultline did not start within 10 s')), 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        logs.push(line);
        if (line.msg === 'Faultline started') {
          clearTimeout(timer);
          resolve(line.addresses);
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`Faultline exited early with ${code}`)));
  });
  return { child, addresses: await started, logs };
}

describe('graceful shutdown', () => {
  it('finishes an in-flight request after SIGTERM, then exits 0', async () => {
    const { child, addresses, logs } = await startProcess();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
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
