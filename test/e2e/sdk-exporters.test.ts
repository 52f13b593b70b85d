// End to end with the official OpenTelemetry JS SDK as the client: real exporters over
// OTLP/HTTP JSON, OTLP/HTTP protobuf, OTLP/gRPC and logs over OTLP/HTTP protobuf, into a real
// Faultline, then exact counter values and histogram counts read back from /metrics.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPLogExporter as OTLPLogExporterProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as OTLPTraceExporterGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPTraceExporterHttp } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { eventually, startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { sampleValue } from '../helpers/prom-text.js';

let running: RunningFaultline;
before(async () => {
  running = await startFaultline();
});
after(async () => {
  await running.stop();
});

/** Sends the same four spans through `exporter` as service `service`. */
async function sendSpans(service: string, exporter: SpanExporter): Promise<void> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment.name': 'test' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('e2e');

  const failed = tracer.startSpan('GET /users/42', { kind: SpanKind.SERVER, attributes: { 'http.route': '/users/:id' } });
  failed.recordException(new TypeError('cannot read properties of undefined'));
  failed.setStatus({ code: SpanStatusCode.ERROR });
  failed.end();

  const timedOut = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER, attributes: { 'error.type': 'TimeoutError' } });
  timedOut.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timed out' });
  timedOut.end();

  const fine = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER });
  fine.end();

  const handled = tracer.startSpan('parse config', { kind: SpanKind.INTERNAL });
  handled.recordException(new RangeError('retrying with defaults'));
  handled.end();

  await provider.forceFlush();
  await provider.shutdown();
}

const exporters: [string, (url: string, grpc: string) => SpanExporter][] = [
  ['http-json', (url) => new OTLPTraceExporterHttp({ url: `${url}/v1/traces` })],
  ['http-protobuf', (url) => new OTLPTraceExporterProto({ url: `${url}/v1/traces` })],
  ['grpc', (_url, grpc) => new OTLPTraceExporterGrpc({ url: `http://${grpc}` })],
];

describe('traces from the OpenTelemetry SDK exporters', () => {
  for (const [name, makeExporter] of exporters) {
    it(`counts exceptions, ERROR spans and span timers sent over ${name}`, async () => {
      const service = `checkout-${name}`;
      await sendSpans(service, makeExporter(running.httpUrl, running.grpcAddress));
      const base = { service, environment: 'test', level: 'error' };
      let text = '';
      // Error events go on once their trace settles (identity settle_time), after the timings.
      await eventually(async () => {
        text = await running.scrape();
        return (
          sampleValue(text, 'faultline_span_duration_seconds_count', {
            service, span_name: 'GET /orders', span_kind: 'SPAN_KIND_SERVER', status_code: 'STATUS_CODE_UNSET',
          }) === 1 && sampleValue(text, 'faultline_identity_pending_traces', { processor: 'identity' }) === 0
        );
      });
      assert.equal(sampleValue(text, 'faultline_errors_total', { ...base, exception_type: 'TypeError', source: 'span' }), 1);
      assert.equal(sampleValue(text, 'faultline_errors_total', { ...base, exception_type: 'TimeoutError', source: 'span_status' }), 1);
      assert.equal(sampleValue(text, 'faultline_errors_total', { ...base, exception_type: 'RangeError', source: 'span' }), 1);
      const server = { service, span_kind: 'SPAN_KIND_SERVER' };
      assert.equal(sampleValue(text, 'faultline_spans_total', { ...server, span_name: '/users/:id', status_code: 'STATUS_CODE_ERROR' }), 1);
      assert.equal(sampleValue(text, 'faultline_spans_total', { ...server, span_name: 'GET /orders', status_code: 'STATUS_CODE_ERROR' }), 1);
      assert.equal(sampleValue(text, 'faultline_spans_total', { ...server, span_name: 'GET /orders', status_code: 'STATUS_CODE_UNSET' }), 1);
      assert.equal(
        sampleValue(text, 'faultline_span_duration_seconds_count', { ...server, span_name: '/users/:id', status_code: 'STATUS_CODE_ERROR' }),
        1,
      );
      // INTERNAL spans feed no timers by default (span_kinds: SERVER, CONSUMER).
      assert.equal(sampleValue(text, 'faultline_spans_total', { service, span_name: 'parse config', span_kind: 'SPAN_KIND_INTERNAL', status_code: 'STATUS_CODE_UNSET' }), undefined);
    });
  }
});

describe('logs from the OpenTelemetry SDK protobuf exporter', () => {
  it('counts ERROR records and exception records, and ignores plain INFO records', async () => {
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'billing', 'deployment.environment.name': 'test' }),
      processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporterProto({ url: `${running.httpUrl}/v1/logs` }) })],
    });
    const logger = provider.getLogger('e2e');
    logger.emit({ severityNumber: 17, severityText: 'ERROR', body: 'database connection refused' });
    logger.emit({ severityNumber: 9, severityText: 'INFO', body: 'request served' });
    logger.emit({
      severityNumber: 13,
      severityText: 'WARN',
      body: 'retrying payment',
      attributes: { 'exception.type': 'ConnectionResetError', 'exception.message': 'socket hang up' },
    });
    await provider.forceFlush();
    await provider.shutdown();

    const base = { service: 'billing', environment: 'test', source: 'log' };
    let text = '';
    await eventually(async () => {
      text = await running.scrape();
      return sampleValue(text, 'faultline_errors_total', { ...base, level: 'warning', exception_type: 'ConnectionResetError' }) === 1;
    });
    assert.equal(sampleValue(text, 'faultline_errors_total', { ...base, level: 'error', exception_type: 'Error' }), 1);
    assert.equal(
      sampleValue(text, 'faultline_receiver_accepted_items_total', { receiver: 'otlp', transport: 'http', signal: 'logs' }),
      3,
    );
  });
});
