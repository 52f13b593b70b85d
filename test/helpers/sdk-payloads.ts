// Request bodies made by the official OpenTelemetry JS serializers (@opentelemetry/otlp-transformer)
// from real SDK spans and log records, so tests send the bytes real SDKs send.

import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ProtobufLogsSerializer, ProtobufTraceSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/** `errors` SERVER spans each with one TypeError exception and ERROR status, plus `ok` plain SERVER spans. */
export async function sdkSpans(service: string, errors: number, ok = 0) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('test');
  for (let i = 0; i < errors; i++) {
    const span = tracer.startSpan('GET /items/:id', { kind: SpanKind.SERVER, attributes: { 'http.route': '/items/:id' } });
    span.recordException(new TypeError(`item ${i} is undefined`));
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
  for (let i = 0; i < ok; i++) tracer.startSpan('GET /health', { kind: SpanKind.SERVER }).end();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

export async function tracesProtobuf(service: string, errors: number, ok = 0): Promise<Buffer> {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(await sdkSpans(service, errors, ok))!);
}

export async function tracesJson(service: string, errors: number, ok = 0): Promise<Buffer> {
  return Buffer.from(JsonTraceSerializer.serializeRequest(await sdkSpans(service, errors, ok))!);
}

/** `count` ERROR log records of `service`. */
export async function logsProtobuf(service: string, count: number): Promise<Buffer> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('test');
  for (let i = 0; i < count; i++) logger.emit({ severityNumber: 17, severityText: 'ERROR', body: `failure ${i}` });
  await provider.forceFlush();
  const records = exporter.getFinishedLogRecords();
  await provider.shutdown();
  return Buffer.from(ProtobufLogsSerializer.serializeRequest(records)!);
}
