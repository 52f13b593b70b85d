// The OTLP/gRPC receiver: raw bytes to our decoder, compression, size limit, partial success,
// bad input statuses, keepalive pings, and HTTP/1.1 sent to the gRPC port.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { eventually, startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { exportOverGrpc } from '../helpers/grpc.js';
import { sampleValue } from '../helpers/prom-text.js';
import { tracesProtobuf, logsProtobuf } from '../helpers/sdk-payloads.js';
import { decodeExportResponse, encodeTracesRequest } from '../helpers/proto.js';
import { span, tracesRequest } from '../otlp/fixtures.js';

let running: RunningFaultline;
before(async () => {
  running = await startFaultline();
});
after(() => running.stop());

const errorsOf = async (service: string) =>
  sampleValue(await running.scrape(), 'faultline_errors_total', {
    service, environment: '', level: 'error', exception_type: 'TypeError', source: 'span',
  });

describe('OTLP/gRPC', () => {
  it('accepts an export and answers an empty ExportTraceServiceResponse', async () => {
    const result = await exportOverGrpc(running.grpcAddress, 'traces', await tracesProtobuf('grpc-ok', 3));
    assert.equal(result.error, null);
    assert.equal(result.response?.length, 0);
    await eventually(async () => (await errorsOf('grpc-ok')) === 3);
  });

  it('accepts gzip-compressed calls', async () => {
    const result = await exportOverGrpc(running.grpcAddress, 'traces', await tracesProtobuf('grpc-gzip', 2), {
      'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip,
    });
    assert.equal(result.error, null);
    await eventually(async () => (await errorsOf('grpc-gzip')) === 2);
  });

  it('reports a span with a malformed trace id in partial_success and keeps the others, id-less ones too', async () => {
    const body = encodeTracesRequest(
      tracesRequest([span(), span({ traceId: 'aabbccdd' }), span({ traceId: '', spanId: '' })], 'grpc-partial'),
    );
    const result = await exportOverGrpc(running.grpcAddress, 'traces', Buffer.from(body));
    assert.equal(result.error, null);
    const response = decodeExportResponse('traces', result.response!) as {
      partialSuccess: { rejectedSpans: string; errorMessage: string };
    };
    assert.equal(response.partialSuccess.rejectedSpans, '1');
    assert.match(response.partialSuccess.errorMessage, /spans\[1\]: trace_id has 4 bytes/);
    await eventually(async () => (await errorsOf('grpc-partial')) === 2);
  });

  it('answers truncated bytes with INVALID_ARGUMENT and a message naming the offset', async () => {
    const good = await tracesProtobuf('grpc-truncated', 1);
    const result = await exportOverGrpc(running.grpcAddress, 'traces', good.subarray(0, good.length - 5));
    assert.equal(result.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(result.error?.details ?? '', /offset \d+/);
  });

  it('answers logs bytes sent to TraceService with INVALID_ARGUMENT', async () => {
    const result = await exportOverGrpc(running.grpcAddress, 'traces', await logsProtobuf('grpc-wrong', 1));
    assert.equal(result.error?.code, grpc.status.INVALID_ARGUMENT);
  });

  it('answers a 5 MiB message with RESOURCE_EXHAUSTED', async () => {
    const result = await exportOverGrpc(running.grpcAddress, 'traces', Buffer.alloc(5 * 1024 * 1024));
    assert.equal(result.error?.code, grpc.status.RESOURCE_EXHAUSTED);
  });

  it('keeps a client that pings every second without calls connected', async () => {
    const client = new grpc.Client(running.grpcAddress, grpc.credentials.createInsecure(), {
      'grpc.keepalive_time_ms': 1000,
      'grpc.keepalive_timeout_ms': 1000,
      'grpc.keepalive_permit_without_calls': 1,
    });
    try {
      assert.equal((await exportOverGrpc(running.grpcAddress, 'traces', await tracesProtobuf('pinger', 1), {}, client)).error, null);
      const channel = client.getChannel();
      let left = false;
      // Bounded: watch the channel for 4 s of idle pings; any state change away from READY fails.
      await new Promise<void>((resolve) => {
        channel.watchConnectivityState(grpc.connectivityState.READY, Date.now() + 4000, (error) => {
          if (!error) left = true;
          resolve();
        });
      });
      assert.equal(left, false, 'the channel left READY while only pinging');
      assert.equal((await exportOverGrpc(running.grpcAddress, 'traces', await tracesProtobuf('pinger', 1), {}, client)).error, null);
    } finally {
      client.close();
    }
  });

  it('survives HTTP/1.1 sent to the gRPC port and keeps serving', async () => {
    const [host, port] = running.grpcAddress.split(':');
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), host, () => socket.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'));
      socket.on('data', () => {});
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.setTimeout(2000, () => socket.destroy());
    });
    const result = await exportOverGrpc(running.grpcAddress, 'traces', await tracesProtobuf('after-http1', 1));
    assert.equal(result.error, null);
  });
});
