import { test as it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeExportResponse, encodeStatus } from '../../src/otlp/response.js';
import { decodeExportResponse, decodeStatus } from '../helpers/proto.js';

it('answers an all-accepted export with empty bytes or {}', () => {
  assert.deepEqual(encodeExportResponse('traces', 0, '', 'protobuf'), new Uint8Array(0));
  assert.equal(encodeExportResponse('logs', 0, '', 'json'), '{}');
});

it('reports rejected spans as partial success, with the int64 count as a string in JSON', () => {
  assert.equal(
    encodeExportResponse('traces', 1, 'resourceSpans[0].scopeSpans[0].spans[1]: trace_id has 4 bytes, expected 16', 'json'),
    '{"partialSuccess":{"rejectedSpans":"1","errorMessage":"resourceSpans[0].scopeSpans[0].spans[1]: trace_id has 4 bytes, expected 16"}}',
  );
  const bytes = encodeExportResponse('traces', 1, 'bad ids', 'protobuf') as Uint8Array;
  assert.deepEqual(decodeExportResponse('traces', bytes), { partialSuccess: { rejectedSpans: '1', errorMessage: 'bad ids' } });
});

it('names the counter of each signal', () => {
  assert.equal(encodeExportResponse('logs', 2, '', 'json'), '{"partialSuccess":{"rejectedLogRecords":"2"}}');
  assert.equal(encodeExportResponse('metrics', 3, '', 'json'), '{"partialSuccess":{"rejectedDataPoints":"3"}}');
  assert.deepEqual(decodeExportResponse('logs', encodeExportResponse('logs', 300, '', 'protobuf') as Uint8Array), {
    partialSuccess: { rejectedLogRecords: '300' },
  });
  assert.deepEqual(decodeExportResponse('metrics', encodeExportResponse('metrics', 0, 'warning only', 'protobuf') as Uint8Array), {
    partialSuccess: { errorMessage: 'warning only' },
  });
});

it('encodes google.rpc.Status for error bodies in both formats', () => {
  assert.equal(encodeStatus(3, 'invalid JSON: Unexpected end', 'json'), '{"code":3,"message":"invalid JSON: Unexpected end"}');
  assert.deepEqual(decodeStatus(encodeStatus(14, 'pipeline is overloaded — retry', 'protobuf') as Uint8Array), {
    code: 14,
    message: 'pipeline is overloaded — retry',
  });
});
