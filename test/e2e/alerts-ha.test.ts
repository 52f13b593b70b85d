// Alerts HA end to end (replicas must not notify once each): two real Faultline processes (an HA
// pair behind a Collector fan-out) with the same rule, their own data_dirs and one shared storage
// (one SQLite file, `service.storage.sqlite.path`: replicas on one host), both fed the same OTLP
// traffic, and one real webhook receiver on loopback. The incident is notified once, not once per
// replica; when the leader stops, the other takes the lease over, does not re-announce the old
// incident and notifies a new one, once. (Replicas on PostgreSQL: test/alert/alerts-replicas.test.ts.)

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { eventually, startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { post } from '../helpers/http.js';
import { sampleValue } from '../helpers/prom-text.js';

const received: Record<string, unknown>[] = [];
let hook: http.Server;
let hookUrl: string;

before(async () => {
  hook = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push(JSON.parse(body));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
});

after(() => new Promise<void>((resolve) => hook.close(() => resolve())));

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
                // A new trace per request, as an SDK sends: one trace's records are one error.
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

async function replica(name: string, sharedFile: string): Promise<RunningFaultline> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `faultline-ha-${name}-`));
  return startFaultline(`
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
      ops: { type: webhook, url: "${hookUrl}" }
    rules:
      - { name: backend-errors, type: threshold, threshold: 0, window: 1m, cooldown: 1h, group_by: [service], channels: [ops] }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [identity], exporters: [alerts] }
  data_dir: ${dataDir}
  storage:
    sqlite: { path: ${JSON.stringify(sharedFile)} }
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`);
}

async function send(to: readonly RunningFaultline[], service: string): Promise<void> {
  for (const instance of to) {
    const reply = await post(`${instance.httpUrl}/v1/traces`, failingSpan(service), { 'content-type': 'application/json' });
    assert.equal(reply.status, 200);
  }
}

async function isLeader(instance: RunningFaultline): Promise<boolean> {
  return sampleValue(await instance.scrape(), 'faultline_alert_leader', { exporter: 'alerts' }) === 1;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 2500));

it('notifies once from an HA pair, and once more from the survivor after the leader stops', async () => {
  const shared = path.join(await mkdtemp(path.join(tmpdir(), 'faultline-ha-shared-')), 'faultline.db');
  const first = await replica('a', shared);
  const second = await replica('b', shared);
  let survivor: RunningFaultline | undefined;
  try {
    await send([first, second], 'checkout');
    await eventually(() => received.length >= 1, 250);
    await settle(); // several evaluations of both replicas
    assert.deepEqual(
      received.map((n) => [(n.labels as Record<string, string>).service, n.state]),
      [['checkout', 'firing']],
    );
    const leaders = [await isLeader(first), await isLeader(second)];
    assert.equal(leaders.filter(Boolean).length, 1, 'exactly one replica leads');
    const [leader, follower] = leaders[0] ? [first, second] : [second, first];
    const suppressed = sampleValue(await follower.scrape(), 'faultline_alert_notifications_suppressed_total', {
      rule: 'backend-errors',
      reason: 'not_leader',
    });
    assert.equal(suppressed, 1);

    await leader.stop();
    survivor = follower;
    await eventually(() => isLeader(follower), 250);
    await send([follower], 'payments');
    await eventually(() => received.length >= 2, 250);
    await settle();
    assert.deepEqual(
      received.map((n) => [(n.labels as Record<string, string>).service, n.state]),
      [
        ['checkout', 'firing'],
        ['payments', 'firing'],
      ],
    );
  } finally {
    await (survivor ?? second).stop();
    if (survivor === undefined) await first.stop();
  }
});
