// Issue 11's promise for notifications, with real processes on a real PostgreSQL: two Faultline
// replicas (an HA pair) share one database; the leader is killed with SIGKILL while its webhook
// notification is pending (the receiver answers 503), and the survivor delivers that notification,
// exactly once, with the same Idempotency-Key, without announcing the incident again.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { eventually } from '../helpers/faultline.js';
import { startFaultlineProcess, type FaultlineProcess } from '../helpers/faultline-process.js';
import { post } from '../helpers/http.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { sampleValue } from '../helpers/prom-text.js';
import { startReceiver } from '../notify/helpers/receiver.js';

let server: PostgresServer;
before(async () => {
  server = await startPostgres();
});
after(() => server?.stop());

function failingSpan(service: string): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: randomBytes(16).toString('hex'),
                spanId: 'eee19b7ec3c1b174',
                name: 'POST /pay',
                kind: 2,
                startTimeUnixNano: String(now),
                endTimeUnixNano: String(now + 5_000_000n),
                status: { code: 2, message: `${service} backend unreachable` },
              },
            ],
          },
        ],
      },
    ],
  });
}

const configOf = (name: string, url: string, hook: string) => `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  identity: { settle_time: 100ms }
exporters:
  alerts:
    evaluation_interval: 1s
    ha: { replica: ${name}, lease_duration: 2s }
    channels:
      ops:
        type: webhook
        url: "${hook}"
        retry: { initial_interval: 200ms, max_interval: 500ms, max_attempts: 1000 }
        circuit_breaker: { failure_threshold: 1000 }
    rules:
      - { name: backend-errors, type: threshold, threshold: 0, window: 1m, cooldown: 1h, group_by: [service], channels: [ops] }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [identity], exporters: [alerts] }
  data_dir: ${mkdtempSync(path.join(tmpdir(), `faultline-killed-${name}-`))}
  storage:
    postgres: { url: "${url}" }
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`;

const adminOf = (instance: FaultlineProcess) => `http://127.0.0.1:${instance.addresses.admin!.port}`;
const isLeader = async (instance: FaultlineProcess) =>
  sampleValue(await (await fetch(`${adminOf(instance)}/metrics`)).text(), 'faultline_alert_leader', { exporter: 'alerts' }) === 1;
const alive = (instance: FaultlineProcess) => instance.child.exitCode === null && instance.child.signalCode === null;

it('lets the surviving replica deliver, exactly once, the notification a replica killed mid-delivery left pending', async (t) => {
  let up = false;
  const receiver = await startReceiver(() => (up ? { status: 204 } : { status: 503 }));
  t.after(() => receiver.close());
  const url = await server.createDatabase();
  const first = await startFaultlineProcess(configOf('a', url, `${receiver.url}/hook`));
  t.after(() => void (alive(first) && first.child.kill('SIGKILL')));
  await eventually(() => isLeader(first), 250);
  const second = await startFaultlineProcess(configOf('b', url, `${receiver.url}/hook`));
  t.after(async () => {
    if (!alive(second)) return;
    second.child.kill('SIGTERM');
    await second.exited;
  });

  for (const instance of [first, second]) {
    const reply = await post(`http://127.0.0.1:${instance.addresses['otlp.http']!.port}/v1/traces`, failingSpan('checkout'), { 'content-type': 'application/json' });
    assert.equal(reply.status, 200);
  }
  // The leader fired and the receiver refused a few attempts: the notification is pending.
  await eventually(() => receiver.requests.length >= 3, 250);
  first.child.kill('SIGKILL');
  assert.equal(await first.exited, null);
  const refused = receiver.requests.length;
  const key = receiver.requests[0]!.headers['idempotency-key'];
  assert.ok(receiver.requests.every((request) => request.headers['idempotency-key'] === key), 'every attempt carried the same key');
  up = true;

  await eventually(() => receiver.delivered.length >= 1, 250);
  await eventually(() => isLeader(second), 250);
  // Several more evaluations, sweeps and retry intervals: no second delivery, no re-announcement.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  assert.equal(receiver.delivered.length, 1, 'delivered exactly once');
  assert.equal(receiver.delivered[0]!.headers['idempotency-key'], key);
  assert.deepEqual(
    [receiver.delivered[0]!.json().labels.service, receiver.delivered[0]!.json().state],
    ['checkout', 'firing'],
  );
  assert.equal(receiver.requests.length, refused + 1, 'the survivor made one attempt, which succeeded');
});
