// The faultline command as a user runs it: `validate` exit codes, and a real process that shuts
// down gracefully on SIGTERM, finishing the request it is in the middle of.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_TEST_CONFIG } from '../helpers/faultline.js';
import { MAIN as main, REPO as repo, reportUrl, reportsToGroupsConfig, startFaultlineProcess } from '../helpers/faultline-process.js';
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

/** A config whose group processor has rules, storing in `dataDir`, as `faultline validate` reads it. */
function rulesConfig(dataDir: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'faultline-validate-')), 'otel-config.yaml');
  writeFileSync(
    file,
    `
receivers:
  report: { endpoint: 127.0.0.1:0 }
processors:
  group:
    in_app_include: [/srv/shop/, /opt/nowhere/]
    in_app_exclude: [/site-packages/]
    fingerprint_rules:
      - { name: upstream-timeout, type: TimeoutError, fingerprint: [upstream-timeout] }
      - { name: never-sent, type: NoSuchError, fingerprint: [never] }
exporters:
  groups: {}
service:
  data_dir: ${JSON.stringify(dataDir)}
  pipelines:
    logs: { receivers: [report], processors: [group], exporters: [groups] }
`,
  );
  return file;
}

const validate = (config: string) => spawnSync(process.execPath, [main, 'validate', '--config', config], { encoding: 'utf8' });
const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Runs a real Faultline storing in `dataDir`, posts `reports` to its report API, waits until they are grouped, and stops it. */
async function storeReports(dataDir: string, reports: readonly object[]): Promise<void> {
  const running = await startFaultlineProcess(reportsToGroupsConfig(`  data_dir: ${JSON.stringify(dataDir)}`));
  const admin = `http://127.0.0.1:${running.addresses.admin!.port}`;
  try {
    for (const body of reports) {
      const response = await fetch(`${reportUrl(running)}/api/v1/report`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(response.status, 201, await response.text());
    }
    for (let attempt = 0; ; attempt++) {
      const page = (await (await fetch(`${admin}/api/v1/groups`)).json()) as { groups: { count: number }[] };
      if (page.groups.reduce((sum, group) => sum + group.count, 0) === reports.length) break;
      assert.ok(attempt < 100, 'the reports were not stored within 100 tries');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    running.child.kill('SIGTERM');
    assert.equal(await running.exited, 0);
  }
}

const pythonStack = (type: string, message: string) =>
  [
    'Traceback (most recent call last):',
    '  File "/srv/shop/app/orders.py", line 42, in place_order',
    '    charge(order)',
    '  File "/usr/lib/python3.12/site-packages/requests/api.py", line 73, in get',
    '    return request("get", url)',
    `${type}: ${message}`,
  ].join('\n');

describe('faultline validate against the stored samples', () => {
  it('warns about each fingerprint rule and in-app pattern that applies to none of the samples a real Faultline stored, reads the store without changing it, and exits 0', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'faultline-store-'));
    await storeReports(dataDir, [
      { service: 'shop', error: { type: 'TimeoutError', message: 'upstream timed out after 30s', stack: pythonStack('TimeoutError', 'upstream timed out after 30s') } },
      { service: 'shop', error: { type: 'KeyError', message: "'sku'", stack: pythonStack('KeyError', "'sku'") } },
      { service: 'shop', error: { type: 'ValueError', message: 'bad quantity', stack: pythonStack('ValueError', 'bad quantity') } },
    ]);
    const store = path.join(dataDir, 'faultline.db');
    const before = digest(store);
    const run = validate(rulesConfig(dataDir));
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /is valid/);
    const warned = run.stderr.split('\n').filter((line) => line.startsWith('processors.'));
    assert.deepEqual(warned, [
      `processors.group.fingerprint_rules[1]: rule "never-sent" groups none of the 3 newest stored samples (exporters.groups in ${store})`,
      `processors.group.in_app_include[1]: "/opt/nowhere/" names no frame of the 3 newest stored samples (exporters.groups in ${store})`,
    ]);
    assert.equal(digest(store), before);
  });

  it('says it could not check the rules when there is no store at data_dir, and creates none', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'faultline-empty-'));
    const run = validate(rulesConfig(dataDir));
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /^processors\.group: could not check its rules against stored samples: no store at .*faultline\.db$/m);
    assert.equal(existsSync(path.join(dataDir, 'faultline.db')), false);
  });

  it('says it could not check the rules when the store holds no samples', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'faultline-store-'));
    await storeReports(dataDir, []);
    const run = validate(rulesConfig(dataDir));
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /^processors\.group: could not check its rules against stored samples: .*faultline\.db holds no samples of exporters\.groups$/m);
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
