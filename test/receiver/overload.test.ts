// When the pipeline queue is full, both transports tell the sender to retry later (503 /
// UNAVAILABLE with Retry-After), so nothing is lost.

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ERRORS_PROCESSOR_DEFAULTS } from '../../src/processor/errors/config.js';
import { CORS_DEFAULTS, OTLP_GRPC_DEFAULTS, OTLP_HTTP_DEFAULTS } from '../../src/receiver/otlp/config.js';
import { createExtractOptions } from '../../src/extract/options.js';
import { createLogger } from '../../src/internal/logger.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { createSelfMetrics } from '../../src/metrics/self-metrics.js';
import { countStageFailures } from '../../src/pipeline/consumer.js';
import { createIngest } from '../../src/pipeline/ingest.js';
import { createQueueStage } from '../../src/pipeline/queue-stage.js';
import { createExportHandler } from '../../src/receiver/export-handler.js';
import { createGrpcReceiver, type GrpcReceiver } from '../../src/receiver/otlp-grpc/grpc-receiver.js';
import { createHttpReceiver, type HttpReceiver } from '../../src/receiver/otlp-http/http-receiver.js';
import { decodeRpcStatus, post } from '../helpers/http.js';
import { tracesProtobuf } from '../helpers/sdk-payloads.js';
import { exportOverGrpc } from '../helpers/grpc.js';

const logger = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));
let httpReceiver: HttpReceiver;
let grpcReceiver: GrpcReceiver;

before(async () => {
  const selfMetrics = createSelfMetrics(createRegistry());
  // A queue with no room at all: every request finds the pipeline full.
  const queue = createQueueStage({ capacity: 0, onFailure: countStageFailures(selfMetrics.pipelineFailures, logger) });
  const options = createExtractOptions(ERRORS_PROCESSOR_DEFAULTS);
  const ingest = createIngest({ routes: { traces: { options, consumer: { consume: () => {} } } }, queue });
  const handler = (transport: 'grpc' | 'http') => createExportHandler({ receiver: 'otlp', transport, ingest, selfMetrics, logger });
  httpReceiver = createHttpReceiver({
    config: { ...OTLP_HTTP_DEFAULTS, endpoint: '127.0.0.1:0', cors: CORS_DEFAULTS },
    handler: handler('http'),
    logger,
    shutdownTimeoutMs: 1000,
    listener: 'otlp.http',
    listenerMetrics: selfMetrics.listeners,
  });
  grpcReceiver = createGrpcReceiver({
    config: { ...OTLP_GRPC_DEFAULTS, endpoint: '127.0.0.1:0' },
    handler: handler('grpc'),
    logger,
    shutdownTimeoutMs: 1000,
    listener: 'otlp.grpc',
    listenerMetrics: selfMetrics.listeners,
  });
  await httpReceiver.start();
  await grpcReceiver.start();
});
after(async () => {
  await httpReceiver.shutdown();
  await grpcReceiver.shutdown();
});

it('answers 503 with Retry-After over HTTP when the pipeline queue is full', async () => {
  const reply = await post(`http://127.0.0.1:${httpReceiver.address().port}/v1/traces`, await tracesProtobuf('busy', 1), {
    'content-type': 'application/x-protobuf',
  });
  assert.equal(reply.status, 503);
  assert.equal(reply.headers.get('retry-after'), '1');
  assert.match(decodeRpcStatus(reply.body).message, /queue is full/);
});

it('answers UNAVAILABLE over gRPC when the pipeline queue is full', async () => {
  const result = await exportOverGrpc(`127.0.0.1:${grpcReceiver.address().port}`, 'traces', await tracesProtobuf('busy', 1));
  assert.equal(result.error?.code, grpc.status.UNAVAILABLE);
  assert.match(result.error?.details ?? '', /queue is full/);
});
