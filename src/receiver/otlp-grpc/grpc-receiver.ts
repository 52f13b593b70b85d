// OTLP/gRPC receiver: TraceService/Export, LogsService/Export and MetricsService/Export on
// @grpc/grpc-js. Messages reach Faultline's own decoder as raw bytes (the service definition
// passes them through untouched), so no generated object graph is built. grpc-js undoes gzip and
// deflate request compression and enforces max_recv_msg_size_mib after decompression
// (RESOURCE_EXHAUSTED). Client keepalive pings are accepted, with or without calls in flight.
// Keys: receivers.otlp.protocols.grpc.{endpoint, max_recv_msg_size_mib, keepalive}.
// Statuses come from receiver/status.ts: INVALID_ARGUMENT for bad data, UNAVAILABLE when the
// pipeline is full or shutting down. Self-metrics: faultline_receiver_* with transport="grpc".

import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Component } from '../../component.js';
import type { OtlpGrpcConfig } from '../otlp/config.js';
import { asFaultlineError } from '../../errors.js';
import { formatEndpoint, listenEndpoint } from '../../internal/endpoint.js';
import { encodeExportResponse } from '../../otlp/response.js';
import type { Signal } from '../../otlp/types.js';
import type { ExportHandler } from '../export-handler.js';
import { publicMessage, retryAfterOf } from '../http-reply.js';
import { STATUS_BY_CODE } from '../status.js';

const SERVICES: readonly { signal: Signal; path: string; name: string }[] = [
  { signal: 'traces', path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', name: 'TraceService' },
  { signal: 'logs', path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export', name: 'LogsService' },
  { signal: 'metrics', path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export', name: 'MetricsService' },
];

const passThrough = (bytes: Buffer): Buffer => bytes;

export interface GrpcReceiver extends Component {
  address(): { host: string; port: number };
}

export function createGrpcReceiver(options: {
  config: OtlpGrpcConfig;
  handler: ExportHandler;
  logger: Logger;
  shutdownTimeoutMs: number;
}): GrpcReceiver {
  const { config, handler, logger, shutdownTimeoutMs } = options;
  let boundPort = 0;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': config.maxRecvMsgSizeBytes,
    'grpc.http2.min_ping_interval_without_data_ms': config.keepaliveMinTimeMs,
    'grpc.keepalive_permit_without_calls': config.keepalivePermitWithoutStream ? 1 : 0,
  });

  for (const { signal, path, name } of SERVICES) {
    if (!handler.serves(signal)) continue;
    const definition: grpc.ServiceDefinition = {
      Export: {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: passThrough,
        requestDeserialize: passThrough,
        responseSerialize: passThrough,
        responseDeserialize: passThrough,
      },
    };
    const exportCall: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
      const startedAt = process.hrtime.bigint();
      try {
        const result = handler.handle(signal, 'protobuf', call.request, startedAt);
        callback(null, Buffer.from(encodeExportResponse(signal, result.rejected, result.errorMessage, 'protobuf') as Uint8Array));
      } catch (error) {
        const failure = asFaultlineError(error);
        const metadata = new grpc.Metadata();
        const retryAfter = retryAfterOf(failure);
        if (retryAfter !== undefined) metadata.set('retry-after', String(retryAfter));
        callback({ code: STATUS_BY_CODE[failure.code].grpc, details: publicMessage(failure), metadata });
      }
    };
    server.addService(definition, { Export: exportCall });
    logger.debug({ service: name }, 'OTLP/gRPC service registered');
  }

  return {
    start() {
      const { host, port } = listenEndpoint(config.endpoint);
      const bindHost = host === '' ? '0.0.0.0' : host.includes(':') ? `[${host}]` : host;
      return new Promise((resolve, reject) => {
        server.bindAsync(`${bindHost}:${port}`, grpc.ServerCredentials.createInsecure(), (error, actualPort) => {
          if (error) return reject(error);
          boundPort = actualPort;
          logger.info({ endpoint: formatEndpoint(host, actualPort) }, 'OTLP/gRPC receiver listening');
          resolve();
        });
      });
    },
    shutdown() {
      if (boundPort === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), shutdownTimeoutMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          boundPort = 0;
          resolve();
        });
      });
    },
    address() {
      return { host: listenEndpoint(config.endpoint).host, port: boundPort };
    },
  };
}
