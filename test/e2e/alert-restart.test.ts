// Issue 3's hardest promise, with real processes: Faultline is killed (SIGKILL, no shutdown) while a
// notification is still pending because its webhook is down; the webhook comes up, Faultline
// starts again on the same data_dir, and the notification arrives, exactly once.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { eventually } from '../helpers/faultline.js';
import { startFaultlineProcess } from '../helpers/faultline-process.js';
import { post } from '../helpers/http.js';
import { sumSamples } from '../helpers/prom-text.js';

/** A loopback port nothing listens on yet. */
async function reservePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const failingSpan = JSON.stringify({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              name: 'POST /pay',
              kind: 2,
              startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
              endTimeUnixNano: String(BigInt(Date.now() + 5) * 1_000_000n),
              status: { code: 2, message: 'card processor unreachable' },
            },
          ],
        },
      ],
    },
  ],
});

it('delivers a pending notification once after Faultline is killed and started again', async (t) => {
  const hookPort = await reservePort();
  const config = `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  identity: { settle_time: 100ms }
exporters:
  alerts:
    evaluation_interval: 1s
    channels:
      ops:
        type: webhook
        url: http://127.0.0.1:${hookPort}/hook
        retry: { initial_interval: 200ms, max_interval: 500ms, max_attempts: 1000 }
        circuit_breaker: { failure_threshold: 1000 }
    rules:
      - { name: checkout-errors, type: threshold, threshold: 0, window: 1m, cooldown: 1h, channels: [ops] }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [identity], exporters: [alerts] }
  data_dir: ${mkdtempSync(path.join(tmpdir(), 'faultline-restart-'))}
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`;

  const first = await startFaultlineProcess(config);
  // A failed assertion before the kill must not leave the process running (the test would hang).
  const killFirst = () => first.child.exitCode === null && first.child.signalCode === null && first.child.kill('SIGKILL');
  t.after(killFirst);
  const admin = `http://127.0.0.1:${first.addresses.admin.port}`;
  const reply = await post(`http://127.0.0.1:${first.addresses['otlp.http'].port}/v1/traces`, failingSpan, {
    'content-type': 'application/json',
  });
  assert.equal(reply.status, 200);
  // The rule fired and the webhook refused a few attempts: the notification is pending.
  await eventually(async () => {
    const text = await (await fetch(`${admin}/metrics`)).text();
    return sumSamples(text, 'faultline_alert_notifications_total', { channel: 'ops', outcome: 'error' }) >= 2;
  }, 250);
  first.child.kill('SIGKILL');
  assert.equal(await first.exited, null);

  const received: string[] = [];
  const hook = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push(body);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(hookPort, '127.0.0.1', resolve));
  const second = await startFaultlineProcess(config);
  try {
    await eventually(() => received.length >= 1, 250);
    // Several more evaluations and retry intervals: no second delivery, no re-fire.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(received.length, 1);
    const notification = JSON.parse(received[0]);
    assert.equal(notification.state, 'firing');
    assert.match(JSON.stringify(notification), /checkout-errors/);
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
    await new Promise<void>((resolve) => hook.close(() => resolve()));
  }
});
