// End to end with real apps: Express 4, Express 5, Fastify, Koa and plain node:http (fixtures in
// test/fixtures/apps/, logging with pino or winston) run under the OpenTelemetry auto-instrumentation
// and send their traces and logs over OTLP/HTTP protobuf to a real Faultline process. Each app has
// eight bugs; one request to a bug is ONE error however many spans and log records of its trace
// report it (exception events on several spans, an ERROR server span, the error middleware's log
// line). So per app: errors counted = requests × bugs, one issue per bug, each issue counted once
// per request, and one new-issue notification per issue. What each framework really sends is
// written up in test/fixtures/app-telemetry/README.md.

import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFaultlineProcess, type FaultlineProcess } from '../helpers/faultline-process.js';
import { sumSamples } from '../helpers/prom-text.js';
import { startRealApp, type RealApp } from '../helpers/real-app.js';

/** Requests sent to each bug. */
const N = 5;

/** The bugs every fixture app has, by route, with the status the app answers. */
const BUGS = [
  { route: '/sync-throw', status: 500, bug: 'a TypeError thrown in the handler' },
  { route: '/async-reject', status: 500, bug: 'an awaited promise rejected' },
  { route: '/status-500', status: 500, bug: 'a 500 answered with an error log line and no throw' },
  { route: '/handled', status: 200, bug: 'an error caught and only logged' },
  { route: '/checkout', status: 500, bug: 'PaymentError thrown from chargeCard' },
  { route: '/refund', status: 500, bug: 'the same PaymentError thrown from refundCard' },
  { route: '/varying', status: 500, bug: 'a message with a new uuid, id and e-mail each time' },
  { route: '/recorded', status: 500, bug: 'recordException, setStatus(ERROR) and logger.error together' },
] as const;

const APPS = ['express5-pino', 'express4-winston', 'fastify-pino', 'koa-winston', 'node-http-pino'];

interface Notification {
  readonly rule?: string;
  readonly state?: string;
  readonly labels?: Record<string, string>;
}

function faultlineConfig(hookUrl: string, dataDir: string): string {
  return `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:0 }
      http: { endpoint: 127.0.0.1:0 }
processors:
  identity:
    settle_time: 2s
exporters:
  prometheus: {}
  groups: { flush_interval: 100ms }
  alerts:
    evaluation_interval: 1s
    channels:
      hook: { type: webhook, url: "${hookUrl}" }
    rules:
      - { name: new-issues, type: new_group, channels: [hook] }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [identity], exporters: [prometheus, groups, alerts] }
    logs: { receivers: [otlp], processors: [identity], exporters: [prometheus, groups, alerts] }
  data_dir: ${JSON.stringify(dataDir)}
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`;
}

/** A webhook receiver on loopback that keeps every notification body. */
async function startWebhook(): Promise<{ server: http.Server; url: string; received: Notification[] }> {
  const received: Notification[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Notification);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

/**
 * Polls /metrics until Faultline has settled: no trace waiting for its identity to settle (an
 * absent gauge reads 0), empty pipeline and notification queues, every delivered notification
 * received, and the accepted-items, error and notification counters unchanged over three polls
 * in a row. Bounded: 120 polls, 250 ms apart. Resolves with the last scrape.
 */
async function waitUntilSettled(adminUrl: string, received: readonly Notification[]): Promise<string> {
  let previous = '';
  let stablePolls = 0;
  for (let poll = 0; poll < 120; poll++) {
    const text = await (await fetch(`${adminUrl}/metrics`)).text();
    const delivered = sumSamples(text, 'faultline_alert_notifications_total', { outcome: 'delivered' });
    const idle =
      sumSamples(text, 'faultline_identity_pending_traces') === 0 &&
      sumSamples(text, 'faultline_pipeline_queue_items') === 0 &&
      sumSamples(text, 'faultline_notification_queue_items') === 0 &&
      delivered === received.length;
    const counters = [
      sumSamples(text, 'faultline_receiver_accepted_items_total'),
      sumSamples(text, 'faultline_errors_total'),
      delivered,
    ].join('/');
    stablePolls = idle && counters === previous ? stablePolls + 1 : 0;
    if (stablePolls >= 2) return text;
    previous = counters;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('Faultline did not settle within 30 s');
}

interface Group {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly count: number;
}

for (const name of APPS) {
  describe(`${name} under the OpenTelemetry auto-instrumentation`, () => {
    const service = `real-${name}`;
    let webhook: Awaited<ReturnType<typeof startWebhook>>;
    let faultline: FaultlineProcess | undefined;
    let app: RealApp | undefined;
    let metrics = '';
    let groups: { total: number; groups: Group[] };
    let notifications: Notification[] = [];

    before(async () => {
      webhook = await startWebhook();
      const dataDir = await mkdtemp(path.join(tmpdir(), `faultline-real-${name}-`));
      faultline = await startFaultlineProcess(faultlineConfig(webhook.url, dataDir));
      const adminUrl = `http://127.0.0.1:${faultline.addresses.admin!.port}`;
      app = await startRealApp(name, { serviceName: service, otlpEndpoint: `http://127.0.0.1:${faultline.addresses['otlp.http']!.port}` });
      for (const { route, status } of BUGS) {
        assert.deepEqual(await app.hit(route, N), Array(N).fill(status), `${name} answers ${route} with ${status}:\n${app.output()}`);
      }
      assert.equal(await app.stop(), 0, `${name} exits cleanly on SIGTERM:\n${app.output()}`);
      metrics = await waitUntilSettled(adminUrl, webhook.received);
      groups = (await (await fetch(`${adminUrl}/api/v1/groups?service=${service}&limit=500`)).json()) as typeof groups;
      notifications = webhook.received.filter((body) => body.rule === 'new-issues' && body.state === 'firing');
    });

    after(async () => {
      app?.kill();
      if (faultline && faultline.child.exitCode === null) {
        faultline.child.kill('SIGTERM');
        const timer = setTimeout(() => faultline?.child.kill('SIGKILL'), 10_000);
        await faultline.exited;
        clearTimeout(timer);
      }
      await new Promise<void>((resolve) => webhook?.server.close(() => resolve()) ?? resolve());
    });

    const summary = () => groups.groups.map((group) => `${group.count}× ${group.type}: ${group.title}`).join('\n');

    it(`counts each request to a bug as one error (${N} × ${BUGS.length})`, () => {
      assert.equal(sumSamples(metrics, 'faultline_errors_total', { service }), N * BUGS.length, `groups:\n${summary()}`);
    });

    it(`opens one issue per bug: ${BUGS.length}, two for one error class thrown in two places, one for varying ids`, () => {
      assert.equal(groups.total, BUGS.length, `groups:\n${summary()}`);
    });

    it(`counts every request in its issue once (${N} each)`, () => {
      assert.deepEqual(groups.groups.map((group) => group.count), Array(groups.groups.length).fill(N), `groups:\n${summary()}`);
    });

    it('announces each issue once to the new_group rule', () => {
      assert.equal(notifications.length, groups.total, `notifications: ${JSON.stringify(notifications.map((n) => n.labels))}`);
      assert.equal(notifications.length, BUGS.length);
    });
  });
}
