// OTLP/gRPC receiver: TraceService/Export, LogsService/Export and MetricsService/Export on
// @grpc/grpc-js. Messages reach Faultline's own decoder as raw bytes (the service definition
// passes them through untouched), so no generated object graph is built. grpc-js undoes gzip and
// deflate request compression and enforces max_recv_msg_size_mib after decompression
// (RESOURCE_EXHAUSTED). Client keepalive pings are accepted, with or without calls in flight.
// Faultline accepts the connections itself (preface-gate.ts: connection limits, handshake
// timeout) and injects them into grpc-js, which closes a connection with no call in flight for
// max_connection_idle (GOAWAY; clients reconnect when they next export).
// Keys: receivers.otlp.protocols.grpc.{endpoint, max_recv_msg_size_mib, keepalive,
// max_connections, max_connections_per_client, handshake_timeout}.
// Statuses come from receiver/status.ts: INVALID_ARGUMENT for bad data, UNAVAILABLE when the
// pipeline is full or shutting down. A full pipeline is said as soon as a call's headers arrive,
// before its message is read (grpc-js reads a call's message only once its metadata is passed on):
// reading it would only hold more memory. grpc-js reads a message whole before handing it over,
// so its bytes count against service.queue_bytes from then, not while they arrive.
// Self-metrics: faultline_receiver_* with transport="grpc".

import * as grpc from '@grpc/grpc-js';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Component } from '../../component.js';
import type { OtlpGrpcConfig } from '../otlp/config.js';
import { asFaultlineError } from '../../errors.js';
import type { ListenerMetrics } from '../../internal/connection-gate.js';
import { formatEndpoint, listenEndpoint } from '../../internal/endpoint.js';
import { encodeExportResponse } from '../../otlp/response.js';
import type { Signal } from '../../otlp/types.js';
import type { ExportHandler } from '../export-handler.js';
import { publicMessage, retryAfterOf } from '../http-reply.js';
import { STATUS_BY_CODE } from '../status.js';
import { createPrefaceGate } from './preface-gate.js';

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
  /** Its name in the listener metrics (`otlp.grpc`). */
  listener: string;
  listenerMetrics: ListenerMetrics;
}): GrpcReceiver {
  const { config, handler, logger, shutdownTimeoutMs } = options;
  let boundPort = 0;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': config.maxRecvMsgSizeBytes,
    'grpc.http2.min_ping_interval_without_data_ms': config.keepaliveMinTimeMs,
    'grpc.keepalive_permit_without_calls': config.keepalivePermitWithoutStream ? 1 : 0,
    ...(config.maxConnectionIdleMs > 0 ? { 'grpc.max_connection_idle_ms': config.maxConnectionIdleMs } : {}),
    interceptors: [admitBeforeReading],
  });
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const gate = createPrefaceGate({
    listener: options.listener,
    limits: config.limits,
    handshakeTimeoutMs: config.handshakeTimeoutMs,
    metrics: options.listenerMetrics,
    inject: (socket) => injector.injectConnection(socket),
  });

  function refusal(failure: ReturnType<typeof asFaultlineError>): Partial<grpc.StatusObject> {
    const metadata = new grpc.Metadata();
    const retryAfter = retryAfterOf(failure);
    if (retryAfter !== undefined) metadata.set('retry-after', String(retryAfter));
    return { code: STATUS_BY_CODE[failure.code].grpc, details: publicMessage(failure), metadata };
  }

  /** Refuses a call while the pipeline admits nothing, before its message is read. */
  function admitBeforeReading(method: grpc.ServerMethodDefinition<unknown, unknown>, call: grpc.ServerInterceptingCallInterface): grpc.ServerInterceptingCall {
    const signal = SERVICES.find((service) => service.path === method.path)?.signal;
    return new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, pass) {
            if (signal !== undefined && handler.serves(signal)) {
              try {
                handler.admit();
              } catch (error) {
                handler.refuse(signal, error, process.hrtime.bigint());
                call.sendStatus(refusal(asFaultlineError(error)) as grpc.StatusObject);
                return;
              }
            }
            pass(metadata);
          },
        });
      },
    });
  }

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
      handler.handle(signal, 'protobuf', call.request, startedAt).then(
        (result) => callback(null, Buffer.from(encodeExportResponse(signal, result.rejected, result.errorMessage, 'protobuf') as Uint8Array)),
        (error: unknown) => callback(refusal(asFaultlineError(error))),
      );
    };
    server.addService(definition, { Export: exportCall });
    logger.debug({ service: name }, 'OTLP/gRPC service registered');
  }

  return {
    start() {
      const { host, port } = listenEndpoint(config.endpoint);
      return new Promise((resolve, reject) => {
        gate.server.once('error', reject);
        gate.server.listen(port, host || undefined, () => {
          gate.server.off('error', reject);
          boundPort = (gate.server.address() as AddressInfo).port;
          logger.info({ endpoint: formatEndpoint(host, boundPort) }, 'OTLP/gRPC receiver listening');
          resolve();
        });
      });
    },
    async shutdown() {
      if (boundPort === 0) return;
      const closed = new Promise<void>((resolve) => gate.server.close(() => resolve()));
      gate.destroyWaiting();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), shutdownTimeoutMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await closed;
      boundPort = 0;
    },
    address() {
      return { host: listenEndpoint(config.endpoint).host, port: boundPort };
    },
  };
}
