// The `otlp` receiver: OTLP over gRPC (otlp-grpc/) and HTTP (otlp-http/), each a listener of its
// own (`<id>.grpc`, `<id>.http` in health and addresses()), both feeding the pipelines that list
// this receiver through one ingest.

import type { ReceiverFactory, ReceiverPart } from '../../component.js';
import { createIngest } from '../../pipeline/ingest.js';
import { createExportHandler } from '../export-handler.js';
import { createGrpcReceiver } from '../otlp-grpc/grpc-receiver.js';
import { createHttpReceiver } from '../otlp-http/http-receiver.js';
import { OTLP_RECEIVER_DEFAULTS, otlpListeners, otlpReceiverType, type OtlpReceiverConfig } from './config.js';

export const otlpReceiverFactory: ReceiverFactory<OtlpReceiverConfig> = {
  type: 'otlp',
  defaults: OTLP_RECEIVER_DEFAULTS,
  schema: otlpReceiverType,
  listeners: otlpListeners,
  create(config, context) {
    const { selfMetrics, logger } = context;
    const ingest = createIngest({ routes: context.routes, queue: context.queue, ...(context.decodePool === undefined ? {} : { decodePool: context.decodePool }) });
    const common = { logger: logger.child({ receiver: config.id }), shutdownTimeoutMs: context.shutdownTimeoutMs };
    const parts: ReceiverPart[] = [];
    if (config.grpc !== null) {
      const handler = createExportHandler({ receiver: config.id, transport: 'grpc', ingest, selfMetrics, logger });
      const grpc = createGrpcReceiver({ ...common, config: config.grpc, handler, listener: `${config.id}.grpc`, listenerMetrics: selfMetrics.listeners });
      parts.push({ suffix: 'grpc', component: grpc, address: () => grpc.address() });
    }
    if (config.http !== null) {
      const handler = createExportHandler({ receiver: config.id, transport: 'http', ingest, selfMetrics, logger });
      const http = createHttpReceiver({ ...common, config: config.http, handler, mounts: context.httpMounts, listener: `${config.id}.http`, listenerMetrics: selfMetrics.listeners });
      parts.push({ suffix: 'http', component: http, address: () => http.address() });
    }
    return parts;
  },
};
