import { test as it } from 'node:test';
import assert from 'node:assert/strict';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { FaultlineError } from '../../src/errors.js';
import { decodeLogsProtobuf } from '../../src/otlp/protobuf/decode-logs.js';
import { decodeLogsJson } from '../../src/otlp/json/decode-logs-json.js';
import { encodeLogsRequest, encodeTracesRequest } from '../helpers/proto.js';
import { END, SPAN_ID, START, TRACE_ID, logRecord, logsRequest, span, tracesRequest } from './fixtures.js';

async function sdkLogRecords() {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('checkout-logger');
  logger.emit({
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'payment failed',
    attributes: { 'exception.type': 'PaymentError', attempt: 2 },
    timestamp: 1700000000123,
  });
  logger.emit({ severityNumber: 9, body: { structured: 'yes', count: 3 }, eventName: 'checkout.done' });
  await provider.forceFlush();
  const records = exporter.getFinishedLogRecords();
  await provider.shutdown();
  return records;
}

it('decodes the official protobuf and JSON serializations of real SDK log records to the same result', async () => {
  const records = await sdkLogRecords();
  const fromProtobuf = decodeLogsProtobuf(ProtobufLogsSerializer.serializeRequest(records)!);
  const fromJson = decodeLogsJson(Buffer.from(JsonLogsSerializer.serializeRequest(records)!).toString('utf8'));
  assert.deepEqual(fromJson, fromProtobuf);
  assert.equal(fromProtobuf.logRecordCount, 2);
  const [first, second] = fromProtobuf.resourceLogs[0].scopeLogs[0].logRecords;
  assert.equal(fromProtobuf.resourceLogs[0].scopeLogs[0].scopeName, 'checkout-logger');
  assert.equal(first.severityNumber, 17);
  assert.equal(first.severityText, 'ERROR');
  assert.equal(first.body, 'payment failed');
  assert.equal(first.timeUnixNano, 1700000000123000000n);
  assert.equal(first.attributes.get('attempt'), 2);
  assert.equal(first.traceId, '');
  assert.deepEqual(second.body, { structured: 'yes', count: 3 });
  assert.equal(second.eventName, 'checkout.done');
});

it('decodes a request encoded by protobufjs from our proto files the same as its OTLP/JSON form', () => {
  const request = logsRequest([logRecord(), logRecord({ body: { kvlistValue: { values: [{ key: 'a', value: { boolValue: false } }] } } })]);
  const fromProtobuf = decodeLogsProtobuf(encodeLogsRequest(request));
  assert.deepEqual(decodeLogsJson(JSON.stringify(request)), fromProtobuf);
  const [record, structured] = fromProtobuf.resourceLogs[0].scopeLogs[0].logRecords;
  assert.equal(record.traceId, TRACE_ID);
  assert.equal(record.spanId, SPAN_ID);
  assert.equal(record.timeUnixNano, BigInt(START));
  assert.equal(record.observedTimeUnixNano, BigInt(END));
  assert.equal(record.eventName, 'payment.failed');
  assert.equal(fromProtobuf.resourceLogs[0].resource.get('service.name'), 'checkout');
  assert.deepEqual(structured.body, { a: false });
});

it('keeps a log record with an empty or all-zero trace id as uncorrelated', () => {
  const request = logsRequest([
    logRecord({ traceId: '', spanId: '' }),
    logRecord({ traceId: '00000000000000000000000000000000', spanId: '0000000000000000' }),
  ]);
  for (const decoded of [decodeLogsProtobuf(encodeLogsRequest(request)), decodeLogsJson(JSON.stringify(request))]) {
    assert.equal(decoded.logRecordCount, 2);
    assert.deepEqual(decoded.rejected, []);
    for (const record of decoded.resourceLogs[0].scopeLogs[0].logRecords) {
      assert.equal(record.traceId, '');
      assert.equal(record.spanId, '');
    }
  }
});

it('rejects only the log record whose trace id or span id has the wrong length', () => {
  const request = logsRequest([logRecord({ traceId: 'aabbccdd' }), logRecord({ spanId: 'aabbccddeeff001122' }), logRecord()]);
  for (const decoded of [decodeLogsProtobuf(encodeLogsRequest(request)), decodeLogsJson(JSON.stringify(request))]) {
    assert.equal(decoded.logRecordCount, 1);
    assert.deepEqual(decoded.rejected, [
      { path: 'resourceLogs[0].scopeLogs[0].logRecords[0]', reason: 'trace_id has 4 bytes, expected 16' },
      { path: 'resourceLogs[0].scopeLogs[0].logRecords[1]', reason: 'span_id has 9 bytes, expected 8' },
    ]);
  }
});

it('refuses an ExportTraceServiceRequest posted as logs', () => {
  assert.throws(
    () => decodeLogsProtobuf(encodeTracesRequest(tracesRequest([span()]))),
    (error: unknown) =>
      error instanceof FaultlineError &&
      error.code === 'FL_DECODE' &&
      /^resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]: field 1 \(time_unix_nano\) has wire type 2, expected 1/.test(error.message),
  );
});

it('fails with a decode error when a log request is cut at any byte', () => {
  const bytes = encodeLogsRequest(logsRequest([logRecord()]));
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.throws(
      () => decodeLogsProtobuf(bytes.subarray(0, cut)),
      (error: unknown) => error instanceof FaultlineError && error.code === 'FL_DECODE',
      `cut at ${cut}`,
    );
  }
});

it('reads a log body nested deeper than the limit as a decode error', () => {
  let body: object = { stringValue: 'leaf' };
  for (let i = 0; i < 34; i++) body = { arrayValue: { values: [body] } };
  const request = logsRequest([logRecord({ body })]);
  assert.throws(() => decodeLogsProtobuf(encodeLogsRequest(request)), /logRecords\[0\]\.body.*nested deeper than 32/);
  assert.throws(() => decodeLogsJson(JSON.stringify(request)), /logRecords\[0\]\.body.*nested deeper than 32/);
});
