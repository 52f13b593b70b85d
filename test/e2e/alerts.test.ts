// End to end: real OpenTelemetry SDK traffic into a real Faultline whose alerts exporter has an
// error_ratio rule and a latency rule (evaluation every 1s over a 10s window), a real webhook
// receiver on loopback, and the alerts API and /metrics on the admin port. Each incident reaches
// the receiver exactly once, signed, and the API never shows the channel's URL or secret.
// A second Faultline with the groups exporter links each alert about an error group to it: the
// webhook's group_url, fetched, is that group (also after a merge), and an alert's sample is the
// exception rather than the ERROR span around it.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { eventually, startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { sampleValue } from '../helpers/prom-text.js';

const SECRET = 'whsec-e2e-alerts-0123456789';

interface Received {
  readonly body: Record<string, unknown>;
  readonly signature: string;
  readonly raw: string;
}

let receiver: http.Server;
const received: Received[] = [];
let running: RunningFaultline;
let hookPath: string;

before(async () => {
  receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ body: JSON.parse(raw), signature: String(request.headers['x-faultline-signature'] ?? ''), raw });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookPath = `/hooks/T0SECRET/${Date.now()}`;
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${hookPath}`;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'faultline-e2e-alerts-'));
  running = await startFaultline(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
exporters:
  prometheus: {}
  alerts:
    evaluation_interval: 1s
    channels:
      ops: { type: webhook, url: "${hookUrl}", secrets: ["${SECRET}"] }
    rules:
      - name: checkout-error-rate
        type: error_ratio
        threshold: 0.05
        min_requests: 20
        window: 10s
        cooldown: 5m
        severity: high
        channels: [ops]
        annotations: { summary: "{{ service }} fails {{ value }} of requests" }
      - name: checkout-slow
        type: latency
        quantile: p95
        threshold: 2s
        window: 10s
        cooldown: 10m
        channels: [ops]
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [prometheus, alerts] }
  data_dir: ${dataDir}
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`);
});

after(async () => {
  await running?.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

/** `total` SERVER spans of service `service`, `failed` of them in ERROR, each `seconds` long. */
async function sendSpans(service: string, total: number, failed: number, seconds: number): Promise<void> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor({ maxExportBatchSize: 512, exporter: new OTLPTraceExporter({ url: `${running.httpUrl}/v1/traces` }) })],
  });
  const tracer = provider.getTracer('e2e-alerts');
  const end = Date.now();
  for (let i = 0; i < total; i++) {
    const span = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER, startTime: end - seconds * 1000 });
    if (i < failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'cart service down' });
    span.end(end);
  }
  await provider.forceFlush();
  await provider.shutdown();
}

function verify(message: Received): boolean {
  const [t, v1] = message.signature.split(',').map((part) => part.split('=')[1]);
  return createHmac('sha256', SECRET).update(`${t}.${message.raw}`).digest('hex') === v1;
}

describe('alerts end to end', () => {
  it('notifies once per incident when SDK traffic crosses an error ratio and a latency rule', async () => {
    await sendSpans('checkout', 40, 10, 0.05);
    await sendSpans('checkout', 5, 0, 3);
    await eventually(() => received.length >= 2, 250);
    // Keep the incidents going across several more evaluations: still one notification each.
    const until = Date.now() + 3_500;
    while (Date.now() < until) {
      await sendSpans('checkout', 10, 3, 0.05);
      await sendSpans('checkout', 2, 0, 3);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const rules = received.map((m) => m.body.rule).sort();
    assert.deepEqual(rules, ['checkout-error-rate', 'checkout-slow']);
    const ratio = received.find((m) => m.body.rule === 'checkout-error-rate')!.body;
    assert.equal(ratio.state, 'firing');
    assert.equal(ratio.severity, 'high');
    assert.deepEqual(ratio.labels, { service: 'checkout' });
    assert.match(String((ratio.annotations as Record<string, string>).summary), /^checkout fails \d+(\.\d+)?% of requests$/);
    assert.ok(received.every(verify), 'every body carries a valid signature');
  });

  it('shows every rule and group on /api/v1/alerts without the channel URL or secret', async () => {
    const response = await fetch(`${running.adminUrl}/api/v1/alerts`);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.ok(!text.includes(SECRET) && !text.includes(hookPath), 'no secrets in API output');
    const { rules } = JSON.parse(text) as { rules: { name: string; groups: { state: string; last_notified_at: string | null; cooldown_until: string | null }[] }[] };
    assert.deepEqual(rules.map((r) => r.name), ['checkout-error-rate', 'checkout-slow']);
    for (const rule of rules) {
      assert.equal(rule.groups[0].state, 'firing');
      assert.ok(rule.groups[0].last_notified_at !== null && rule.groups[0].cooldown_until !== null);
    }
  });

  it('shows the firing alerts on /metrics', async () => {
    const text = await running.scrape();
    assert.equal(sampleValue(text, 'faultline_alerts', { rule: 'checkout-error-rate', severity: 'high', state: 'firing' }), 1);
    assert.equal(sampleValue(text, 'faultline_alerts', { rule: 'checkout-slow', severity: 'medium', state: 'firing' }), 1);
  });

  it('sends a test notification through POST /api/v1/alerts/test and reports each channel', async () => {
    const before = received.length;
    const response = await fetch(`${running.adminUrl}/api/v1/alerts/test`, { method: 'POST', body: '{"channel":"ops"}' });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.ok(!text.includes(SECRET) && !text.includes(hookPath));
    assert.deepEqual(JSON.parse(text), { results: [{ exporter: 'alerts', channel: 'ops', outcome: 'delivered' }] });
    assert.equal(received.length, before + 1);
    const unknown = await fetch(`${running.adminUrl}/api/v1/alerts/test`, { method: 'POST', body: '{"channel":"pager"}' });
    assert.equal(unknown.status, 404);
  });

  it('lists each channel on /api/v1/alerts with its circuit, queue and delivery outcomes, without its URL', async () => {
    const text = await (await fetch(`${running.adminUrl}/api/v1/alerts`)).text();
    assert.ok(!text.includes(SECRET) && !text.includes(hookPath));
    const { channels } = JSON.parse(text) as { channels: { name: string; type: string; circuit: string; queued: number; outcomes: Record<string, number>; last: { outcome: string } | null }[] };
    assert.equal(channels.length, 1);
    const [ops] = channels;
    assert.deepEqual([ops!.name, ops!.type, ops!.circuit, ops!.queued], ['ops', 'webhook', 'closed', 0]);
    assert.equal(ops!.outcomes.delivered, received.length, 'the incidents and the test notification, each delivered once');
    assert.equal(ops!.last?.outcome, 'delivered');
  });

  it('never logs the channel URL or secret', () => {
    const logs = JSON.stringify(running.logs);
    assert.ok(!logs.includes(SECRET) && !logs.includes(hookPath));
  });
});

describe('alerts linking to their error group, end to end', () => {
  let hook: http.Server;
  const bodies: Record<string, any>[] = [];
  let linked: RunningFaultline;

  before(async () => {
    hook = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const dataDir = await mkdtemp(path.join(tmpdir(), 'faultline-e2e-links-'));
    // No public_url: links derive from the admin endpoint as bound (127.0.0.1 and its port).
    linked = await startFaultline(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  identity: { settle_time: 100ms }
exporters:
  groups: { flush_interval: 100ms }
  alerts:
    evaluation_interval: 1s
    channels:
      ops: { type: webhook, url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook" }
    rules:
      - name: new-errors
        type: new_group
        annotations: { summary: "new {{ title }}: {{ group_url }}" }
      - name: any-error
        type: threshold
        threshold: 0
        window: 10s
        group_by: [service]
service:
  pipelines:
    traces: { receivers: [otlp], processors: [identity], exporters: [groups, alerts] }
  data_dir: ${dataDir}
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`);
  });
  after(async () => {
    await linked?.stop();
    await new Promise<void>((resolve) => hook.close(() => resolve()));
  });

  /** One trace: a SERVER span ending in ERROR with no exception, around a child that threw `type`. */
  async function failRequest(type: string): Promise<string> {
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'cart' }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${linked.httpUrl}/v1/traces` }) })],
    });
    const tracer = provider.getTracer('e2e-links');
    const server = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER });
    const child = tracer.startSpan('load cart', {}, trace.setSpan(context.active(), server));
    const error = new Error(`cart ${type} failed`);
    error.name = type;
    child.recordException(error);
    child.setStatus({ code: SpanStatusCode.ERROR });
    child.end();
    server.setStatus({ code: SpanStatusCode.ERROR, message: 'request failed' });
    server.end();
    await provider.forceFlush();
    await provider.shutdown();
    return server.spanContext().traceId;
  }

  const newGroupOf = (type: string) => bodies.find((body) => body.rule === 'new-errors' && body.labels.exception_type === type);

  it("gives a new group's notification the group's id and a link that, fetched, is that group", async () => {
    const traceId = await failRequest('CartMissing');
    await eventually(() => newGroupOf('CartMissing') !== undefined, 250);
    const body = newGroupOf('CartMissing')!;
    assert.match(body.group_id, /^[0-9a-f]{12,}$/);
    assert.equal(body.group_url, `${linked.adminUrl}/api/v1/groups/${body.group_id}`);
    assert.equal(body.annotations.summary, `new CartMissing: cart CartMissing failed: ${body.group_url}`);
    const group = await fetch(body.group_url);
    assert.equal(group.status, 200);
    const shown = (await group.json()) as { id: string; type: string; samples: { trace_id: string }[] };
    assert.equal(shown.id, body.group_id);
    assert.equal(shown.type, 'CartMissing');
    assert.equal(shown.samples[0].trace_id, traceId);

    const byFingerprint = (await (await fetch(`${linked.adminUrl}/api/v1/groups?fingerprint=${body.labels.fingerprint}`)).json()) as { groups: { id: string }[] };
    assert.deepEqual(byFingerprint.groups.map((g) => g.id), [body.group_id]);
    const ofTrace = (await (await fetch(`${linked.adminUrl}/api/v1/events?trace_id=${traceId}`)).json()) as { events: { group_id: string; source: string }[] };
    // The SERVER span's ERROR is the same failure: folded into the exception, one event.
    assert.deepEqual(ofTrace.events.map((e) => e.source), ['span']);
    assert.ok(ofTrace.events.some((e) => e.group_id === body.group_id));
  });

  it('shows the exception as the sample of an alert over several errors, not the failed SERVER span', async () => {
    await eventually(() => bodies.some((body) => body.rule === 'any-error'), 250);
    const alert = bodies.find((body) => body.rule === 'any-error')!;
    assert.equal(alert.sample.type, 'CartMissing');
    assert.match(alert.sample.stacktrace, /CartMissing: cart CartMissing failed/);
    assert.equal(alert.group_id, undefined, 'an alert over a whole service is about no one group');
  });

  it('keeps the link working after its group is merged into another', async () => {
    await failRequest('CartLocked');
    await eventually(() => newGroupOf('CartLocked') !== undefined, 250);
    const [missing, locked] = [newGroupOf('CartMissing')!, newGroupOf('CartLocked')!];
    const merge = await fetch(`${linked.adminUrl}/api/v1/groups/${missing.group_id}`, { method: 'PATCH', body: JSON.stringify({ merge_into: locked.group_id }) });
    assert.equal(merge.status, 200);
    const old = await fetch(missing.group_url, { redirect: 'manual' });
    assert.equal(old.status, 308);
    const followed = await fetch(missing.group_url);
    assert.equal(followed.status, 200);
    assert.equal(((await followed.json()) as { id: string }).id, locked.group_id);
  });
});
