// End to end against the real Prometheus: a Faultline in this process takes OpenTelemetry SDK
// traffic (exceptions, ERROR spans, SERVER and CONSUMER spans, error logs, over OTLP/HTTP and
// OTLP/gRPC, plus bad requests), regresses a resolved error group, and fires an alert rule that
// notifies a working and a failing webhook receiver; a private Prometheus scrapes it every second,
// and then every PromQL expression of every dashboard panel, with Grafana's variables substituted,
// must parse and return data. A panel whose query returns nothing fails here.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as OTLPTraceExporterGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { eventually, startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { sumSamples } from '../helpers/prom-text.js';
import {
  hasNumericData,
  loadDashboards,
  panelQueries,
  parseLabelValues,
  requireBinary,
  RULES_FILE,
  startPrometheus,
  substituteVariables,
  variableQuery,
  waitFor,
  type RunningPrometheus,
} from '../helpers/prometheus.js';

// A low cardinality limit and a short expiry, so the cardinality and expiry panels get data; the
// groups exporter, a filter and a sample processor, and an alerts exporter whose rule fires within
// seconds on checkout's errors and re-notifies at every evaluation (repeat: cooldown) two real
// webhook receivers on loopback: `ops` answers 204, `broken` answers 500, so its retries, drops and
// circuit breaker (open after 2 failures, for 1 s) have data too.
function config(opsUrl: string, brokenUrl: string, dataDir: string): string {
  return `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:0 }
      http: { endpoint: 127.0.0.1:0 }
processors:
  errors: {}
  identity: { settle_time: 200ms }
  filter/noise:
    rules:
      - { name: not-found, exception_type: NotFoundError }
  sample:
    samples_per_minute: 2
exporters:
  prometheus:
    cardinality_limit: 30
    metrics_expiration: 5s
  groups:
    flush_interval: 100ms
  alerts:
    evaluation_interval: 1s
    channels:
      ops: { type: webhook, url: "${opsUrl}" }
      broken:
        type: webhook
        url: "${brokenUrl}"
        timeout: 2s
        queue_size: 20
        retry: { initial_interval: 100ms, max_interval: 200ms, max_attempts: 3 }
        circuit_breaker: { failure_threshold: 2, open_duration: 1s }
    rules:
      - name: checkout-errors
        type: threshold
        filter: { service: checkout }
        threshold: 0
        window: 10s
        cooldown: 1s
        repeat: cooldown
        severity: high
extensions:
  health_check: {}
service:
  extensions: [health_check]
  pipelines:
    traces: { receivers: [otlp], processors: [errors, identity, filter/noise, sample], exporters: [prometheus, groups, alerts] }
    logs: { receivers: [otlp], processors: [errors, identity, filter/noise, sample], exporters: [prometheus, groups, alerts] }
    metrics: { receivers: [otlp] }
  data_dir: ${dataDir}
  telemetry:
    logs: { level: warn }
    metrics: { address: 127.0.0.1:0 }
`;
}

const MAX_ROUNDS = 600; // the traffic loop's bound (a round every 250 ms: 150 s at most)

function tracerFor(service: string, environment: string, exporter: SpanExporter) {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment.name': environment }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  return { provider, tracer: provider.getTracer('dashboards-e2e') };
}

/** A span that started `millis` ago and ends now. */
function timedSpan(tracer: Tracer, name: string, kind: SpanKind, millis: number, attributes: Record<string, string> = {}) {
  const now = Date.now();
  return { span: tracer.startSpan(name, { kind, attributes, startTime: now - millis }), end: now };
}

let faultline: RunningFaultline;
let prometheus: RunningPrometheus | undefined;
let receivers: http.Server[] = [];
let dataDir: string | undefined;
let stopTraffic = false;
let traffic: Promise<void> = Promise.resolve();
let rounds = 0;

async function post(path: string, contentType: string, body: Buffer | string): Promise<void> {
  await (await fetch(`${faultline.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body })).arrayBuffer();
}

/** A webhook receiver on loopback that answers every request with `status`; returns its URL. */
async function startReceiver(status: number): Promise<string> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(status).end());
  });
  receivers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

/** Resolves every unresolved group of `service`, so its next event regresses it (no release on either side). */
async function resolveGroups(service: string): Promise<void> {
  // Errors reach the groups once their trace settles: resolve what the rounds so far have filed.
  // Then the groups exporter writes them within its flush_interval.
  await eventually(async () => {
    const text = await faultline.scrape();
    return sumSamples(text, 'faultline_identity_pending_traces') === 0 && sumSamples(text, 'faultline_error_groups_pending_events') === 0;
  }, 250);
  const response = await fetch(`${faultline.adminUrl}/api/v1/groups?service=${service}&state=unresolved`);
  const { groups } = (await response.json()) as { groups: { id: string }[] };
  for (const group of groups) {
    const patch = await fetch(`${faultline.adminUrl}/api/v1/groups/${group.id}`, { method: 'PATCH', body: '{"state":"resolved"}' });
    assert.equal(patch.status, 200, await patch.text());
  }
}

before(async () => {
  // Fail, never skip, when Prometheus is not installed.
  requireBinary('prometheus');
  requireBinary('promtool');
  dataDir = mkdtempSync(join(tmpdir(), 'faultline-dashboards-e2e-'));
  faultline = await startFaultline(config(await startReceiver(204), await startReceiver(500), dataDir));
  prometheus = await startPrometheus({ target: new URL(faultline.adminUrl).host, ruleFiles: [RULES_FILE] });

  const checkout = tracerFor('checkout', 'test', new OTLPTraceExporter({ url: `${faultline.httpUrl}/v1/traces` }));
  const inventory = tracerFor('inventory', 'staging', new OTLPTraceExporterGrpc({ url: `http://${faultline.grpcAddress}` }));
  const bulk = tracerFor('bulk', 'test', new OTLPTraceExporter({ url: `${faultline.httpUrl}/v1/traces` }));
  const logs = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment.name': 'test' }),
    processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${faultline.httpUrl}/v1/logs` }) })],
  });
  const logger = logs.getLogger('dashboards-e2e');

  // Once: more routes than cardinality_limit (overflow), left to expire after 5 s (expiry).
  for (let route = 0; route < 40; route++) {
    const { span, end } = timedSpan(bulk.tracer, `/bulk/${route}`, SpanKind.SERVER, 3);
    span.end(end);
    if (route % 10 === 9) await bulk.provider.forceFlush(); // the exporter allows 30 exports in flight
  }

  const round = async () => {
    let timed = timedSpan(checkout.tracer, 'GET /cart/:id', SpanKind.SERVER, 300, { 'http.route': '/cart/:id' });
    timed.span.recordException(new TypeError('cart is undefined'));
    timed.span.setStatus({ code: SpanStatusCode.ERROR });
    timed.span.end(timed.end);
    timed = timedSpan(checkout.tracer, 'GET /cart/:id', SpanKind.SERVER, 20, { 'http.route': '/cart/:id' });
    timed.span.end(timed.end);
    timed = timedSpan(checkout.tracer, 'GET /orders', SpanKind.SERVER, 2000, { 'error.type': 'TimeoutError' });
    timed.span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timed out' });
    timed.span.end(timed.end);
    timed = timedSpan(inventory.tracer, '/stock', SpanKind.SERVER, 5);
    timed.span.end(timed.end);
    timed = timedSpan(inventory.tracer, '/stock', SpanKind.SERVER, 60);
    timed.span.recordException(new RangeError('negative stock'));
    timed.span.setStatus({ code: SpanStatusCode.ERROR });
    timed.span.end(timed.end);
    timed = timedSpan(inventory.tracer, 'restock process', SpanKind.CONSUMER, 900);
    timed.span.end(timed.end);
    // The email is scrubbed (scrub panel); the NotFoundError is dropped by filter/noise.
    logger.emit({ severityNumber: 17, severityText: 'ERROR', body: 'payment declined for jane@example.com' });
    logger.emit({ severityNumber: 17, severityText: 'ERROR', body: 'no such order', attributes: { 'exception.type': 'NotFoundError' } });
    logger.emit({ severityNumber: 21, severityText: 'FATAL', body: 'out of memory', attributes: { 'exception.type': 'OutOfMemoryError' } });
    await Promise.all([checkout.provider.forceFlush(), inventory.provider.forceFlush(), logs.forceFlush()]);
    // Bad input, so the decode-error, empty-request and refused panels have data.
    await post('/v1/traces', 'application/x-protobuf', Buffer.from([0xff, 0xff, 0xff]));
    await post('/v1/logs', 'application/x-protobuf', Buffer.alloc(0));
    await post('/v1/traces', 'application/json', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"eee19b7ec3c1b174","name":"x","kind":2}]}]}]}');
  };
  traffic = (async () => {
    try {
      while (!stopTraffic && rounds < MAX_ROUNDS) {
        await round();
        rounds++;
        if (rounds === 2) await resolveGroups('inventory'); // the next round regresses them

        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await Promise.all([checkout.provider.shutdown(), inventory.provider.shutdown(), bulk.provider.shutdown(), logs.shutdown()]);
    }
  })();

  // Enough scrapes for rate() over 1m, and the expiry of the bulk series seen by Prometheus.
  const ready = async (expr: string) => hasNumericData(await prometheus!.query(expr));
  await waitFor('Prometheus to scrape Faultline and see errors, overflow, expiry, a regression, a firing alert and its deliveries', async () =>
    (await ready('count_over_time(up{job="faultline"}[1m]) >= 6 and up{job="faultline"} == 1')) &&
    (await ready('faultline_errors_total{service="checkout", exception_type="TypeError"}')) &&
    // Overflow and expiry happen once, early: asked as counters, not as increase() over the last
    // minute, which a slow run could let slide past before the other conditions hold.
    (await ready('faultline_cardinality_overflow_total > 0')) &&
    (await ready('faultline_series_expired_total > 0')) &&
    (await ready('faultline_error_groups_regressed_total{service="inventory"} > 0')) &&
    (await ready('faultline_alerts{rule="checkout-errors", state="firing"} > 0')) &&
    (await ready('increase(faultline_alert_notifications_total{channel="ops", outcome="delivered"}[1m]) > 0')) &&
    (await ready('increase(faultline_alert_notifications_total{channel="broken", outcome="error"}[1m]) > 0')) &&
    (await ready('faultline_notifications_dropped_total{channel="broken"} > 0')) &&
    (await ready('max_over_time(faultline_notification_circuit_state{channel="broken"}[1m]) == 2')),
  // About 15 s on a quiet machine; slower on a busy shared box. Bounded below the traffic loop's 150 s.
  120_000, 500);
});

after(async () => {
  stopTraffic = true;
  await traffic;
  await prometheus?.stop();
  await faultline?.stop();
  await Promise.all(receivers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  receivers = [];
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const dashboards = loadDashboards();

describe('every dashboard query against the real Prometheus, after real traffic', () => {
  for (const [file, dashboard] of dashboards) {
    describe(file, () => {
      for (const query of panelQueries(dashboard)) {
        it(`panel ${query.panelId} "${query.panelTitle}" ${query.refId} returns data`, async () => {
          const expr = substituteVariables(query.expr);
          assert.doesNotMatch(expr, /\$/, `a variable was left in ${expr}`);
          const result = await prometheus!.query(expr);
          assert.ok(hasNumericData(result), `no data for ${expr}: ${JSON.stringify(result)}`);
        });
      }

      for (const variable of dashboard.templating.list.filter((each) => each.type === 'query')) {
        it(`variable ${variable.name} lists values`, async () => {
          const parsed = parseLabelValues(variableQuery(variable) ?? '');
          assert.ok(parsed, `variable ${variable.name} is not label_values(...)`);
          const selector = substituteVariables(parsed.selector);
          const values = await prometheus!.api<string[]>(
            `/api/v1/label/${parsed.label}/values?match[]=${encodeURIComponent(selector)}`,
          );
          assert.ok(values.some((value) => value !== ''), `${variable.name}: ${JSON.stringify(values)}`);
        });
      }
    });
  }

  it('filters by a real service value as well as by All', async () => {
    const expr = substituteVariables(panelQueries(dashboards.get('faultline-errors.json')!)[0]!.expr, { service: 'checkout', environment: 'test' });
    assert.ok(hasNumericData(await prometheus!.query(expr)), expr);
    const none = substituteVariables(panelQueries(dashboards.get('faultline-errors.json')!)[0]!.expr, { service: 'no-such-service' });
    assert.equal(hasNumericData(await prometheus!.query(none)), false, 'a service filter that matches nothing returns nothing');
  });

  it('stores the trace_id exemplars the error panels link to traces with', async () => {
    const now = Date.now() / 1000;
    const exemplars = await prometheus!.api<{ seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string> }[] }[]>(
      `/api/v1/query_exemplars?query=${encodeURIComponent('faultline_errors_total{service="checkout"}')}&start=${now - 300}&end=${now}`,
    );
    const traceIds = exemplars.flatMap((series) => series.exemplars.map((exemplar) => exemplar.labels.trace_id));
    assert.ok(traceIds.length > 0, 'Prometheus stored exemplars for faultline_errors_total');
    for (const traceId of traceIds) assert.match(traceId ?? '', /^[0-9a-f]{32}$/);
  });
});
