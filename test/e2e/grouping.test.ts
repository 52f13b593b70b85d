// End to end: errors sent by the official OpenTelemetry JS SDK (traces and logs over OTLP/HTTP)
// and by POST /api/v1/report land in error groups, read back through /api/v1/groups and the
// faultline_error_groups* metrics; a second Faultline on the same data_dir keeps the groups and
// announces none of them again.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { eventually } from '../helpers/faultline.js';
import { sampleValue } from '../helpers/prom-text.js';
import { groupsOf, patch, report, reportOf, request, startWithGroups, type GroupsFaultline } from '../group/api/faultline-with-groups.js';

const TRACE_SERVICE = 'checkout-e2e';
const LOG_SERVICE = 'billing-e2e';

async function sendSpans(running: GroupsFaultline, release: string, times: number): Promise<void> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': TRACE_SERVICE, 'service.version': release, 'deployment.environment.name': 'prod' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${running.httpUrl}/v1/traces` }) })],
  });
  const tracer = provider.getTracer('e2e');
  for (let i = 0; i < times; i++) {
    const span = tracer.startSpan('GET /users/:id', { kind: SpanKind.SERVER });
    span.recordException(new TypeError('cannot read properties of undefined'));
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
  await provider.forceFlush();
  await provider.shutdown();
}

async function sendLogs(running: GroupsFaultline): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': LOG_SERVICE }),
    processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${running.httpUrl}/v1/logs` }) })],
  });
  const logger = provider.getLogger('e2e');
  logger.emit({ severityNumber: 17, severityText: 'ERROR', body: 'database connection refused' });
  logger.emit({ severityNumber: 17, severityText: 'ERROR', body: 'database connection refused' });
  await provider.forceFlush();
  await provider.shutdown();
}


const stops: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const stop of stops) await stop();
});

describe('error groups end to end', () => {
  let first: GroupsFaultline;
  let second: GroupsFaultline;

  it('groups exceptions sent by the OpenTelemetry SDK over traces and logs', async () => {
    first = await startWithGroups({ groups: '{ flush_interval: 100ms }' });
    stops.push(() => first.stop());
    await sendSpans(first, '1.2.0', 3);
    await sendLogs(first);
    await eventually(async () => (await groupsOf(first, TRACE_SERVICE))[0]?.count === 3);
    await eventually(async () => (await groupsOf(first, LOG_SERVICE))[0]?.count === 2);
    const [group] = await groupsOf(first, TRACE_SERVICE);
    assert.equal(group.type, 'TypeError');
    assert.deepEqual(group.releases, ['1.2.0']);
    assert.deepEqual(group.environments, ['prod']);
    const detail = (await request(`${first.adminUrl}/api/v1/groups/${group.id}`)).body;
    assert.ok(detail.samples.every((sample: any) => /^[0-9a-f]{32}$/.test(sample.trace_id)));
    assert.ok(detail.samples[0].stacktrace.includes('TypeError: cannot read properties of undefined'));
    const text = await first.scrape();
    assert.equal(sampleValue(text, 'faultline_error_groups_new_total', { service: TRACE_SERVICE }), 1);
    assert.equal(sampleValue(text, 'faultline_error_groups', { service: TRACE_SERVICE, state: 'unresolved' }), 1);
  });

  it('groups reports sent to /api/v1/report with the same pipeline', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await report(first.httpUrl, reportOf('php-shop', 'Undefined index: cart'))).status, 201);
    await eventually(async () => (await groupsOf(first, 'php-shop'))[0]?.count === 2);
  });

  it('keeps every group across a restart on the same data_dir and announces none of them again', async () => {
    const [traceGroup] = await groupsOf(first, TRACE_SERVICE);
    assert.equal((await patch(first.adminUrl, traceGroup.id, { state: 'resolved' })).status, 200);
    const before = (await request(`${first.adminUrl}/api/v1/groups`)).body;
    await first.stop();

    second = await startWithGroups({ dataDir: first.dataDir });
    stops.push(() => second.stop());
    const afterRestart = (await request(`${second.adminUrl}/api/v1/groups`)).body;
    assert.deepEqual(afterRestart, before);
    assert.equal((await request(`${second.adminUrl}/api/v1/groups/${traceGroup.id}`)).body.state, 'resolved');

    await sendSpans(second, '1.2.0', 1);
    await eventually(async () => (await groupsOf(second, TRACE_SERVICE))[0]?.count === 4);
    const text = await second.scrape();
    assert.equal(sampleValue(text, 'faultline_error_groups_new_total', { service: TRACE_SERVICE }), undefined);
    assert.equal(sampleValue(text, 'faultline_error_groups', { service: TRACE_SERVICE, state: 'resolved' }), 1);
  });

  it('regresses the resolved group when a newer release throws it again', async () => {
    await sendSpans(second, '1.3.0', 1);
    await eventually(async () => (await groupsOf(second, TRACE_SERVICE))[0]?.regressed === true);
    const [group] = await groupsOf(second, TRACE_SERVICE);
    assert.equal(group.state, 'unresolved');
    assert.equal(sampleValue(await second.scrape(), 'faultline_error_groups_regressed_total', { service: TRACE_SERVICE }), 1);
  });
});
