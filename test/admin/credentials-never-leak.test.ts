// A real `faultline` process whose admin endpoint takes a bearer token (from ${env:…}) and a basic
// auth user: after right and wrong tries with each, neither the token, the password nor its hash
// appears in its stdout logs, /metrics, /health or any answer it gave. Wrong tries are counted, not
// logged.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../src/admin/password-hash.js';
import { startFaultlineProcess, type FaultlineProcess } from '../helpers/faultline-process.js';
import { sampleValue } from '../helpers/prom-text.js';

const TOKEN = 'tok-leakcheck-7d1e9c3b5a2f4e6d';
const PASSWORD = 'pw-leakcheck-0b8a6c4e2d';
const ENV_NAME = 'FAULTLINE_TEST_ADMIN_TOKEN';

describe('admin credentials in a running Faultline', () => {
  let running: FaultlineProcess;
  let hash: string;
  const answers: string[] = [];
  let admin: string;

  async function call(pathname: string, init: RequestInit = {}): Promise<number> {
    const response = await fetch(`${admin}${pathname}`, init);
    answers.push(JSON.stringify([...response.headers]), await response.text());
    return response.status;
  }

  before(async () => {
    hash = await hashPassword(PASSWORD, { cost: 1024, blockSize: 8, parallelization: 1 });
    process.env[ENV_NAME] = TOKEN; // the child inherits it; the config names only the variable
    const dataDir = mkdtempSync(path.join(tmpdir(), 'faultline-credentials-'));
    running = await startFaultlineProcess(`
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } }
exporters:
  groups: { flush_interval: 100ms }
extensions:
  health_check: {}
service:
  extensions: [health_check]
  pipelines:
    traces: { receivers: [otlp], exporters: [groups] }
  data_dir: ${JSON.stringify(dataDir)}
  telemetry:
    logs: { level: debug }
    metrics:
      address: 127.0.0.1:0
      auth:
        bearer_tokens: [{ token: "\${env:${ENV_NAME}}", access: write }]
        basic_auth: [{ username: alice, password_hash: "${hash}", access: read }]
`);
    admin = `http://127.0.0.1:${running.addresses.admin!.port}`;
  });
  after(async () => {
    delete process.env[ENV_NAME];
    running.child.kill('SIGTERM');
    await running.exited;
  });

  it('admits the right token and password and refuses wrong ones', async () => {
    const basic = (password: string) => `Basic ${Buffer.from(`alice:${password}`).toString('base64')}`;
    assert.equal(await call('/api/v1/groups', { headers: { authorization: `Bearer ${TOKEN}` } }), 200);
    assert.equal(await call('/api/v1/groups', { headers: { authorization: basic(PASSWORD) } }), 200);
    assert.equal(await call('/api/v1/groups', { headers: { authorization: `Bearer ${TOKEN}-wrong` } }), 401);
    assert.equal(await call('/api/v1/groups', { headers: { authorization: basic(`${PASSWORD}-wrong`) } }), 401);
    assert.equal(await call('/api/v1/groups/none', { method: 'PATCH', body: '{}', headers: { authorization: basic(PASSWORD) } }), 403);
    assert.equal(await call('/api/v1/session', { headers: { authorization: `Bearer ${TOKEN}` } }), 200);
  });

  it('counts the refusals in /metrics', async () => {
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    answers.push(metrics);
    assert.equal(sampleValue(metrics, 'faultline_admin_auth_failures_total', { reason: 'bad_credentials' }), 2);
  });

  it('shows neither the token, the password nor the hash in its logs, /metrics, /health or answers', async () => {
    answers.push(await (await fetch(`${admin}/health`)).text());
    const seen = [JSON.stringify(running.logs), ...answers];
    const secrets = [TOKEN, PASSWORD, hash, hash.split('$').at(-1)!, Buffer.from(`alice:${PASSWORD}`).toString('base64')];
    for (const secret of secrets) for (const text of seen) assert.ok(!text.includes(secret), `${secret.slice(0, 6)}… showed in ${text.slice(0, 80)}`);
    assert.ok(running.logs.length > 0, 'the process logged something to check');
  });
});
