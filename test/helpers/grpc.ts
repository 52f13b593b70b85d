// A raw OTLP/gRPC client for tests: sends prepared bytes to Export and returns the raw reply.

import * as grpc from '@grpc/grpc-js';
import type { Signal } from '../../src/otlp/types.js';

const PATHS: Record<Signal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
};

const identity = (bytes: Buffer) => bytes;

export interface GrpcExportResult {
  readonly error: grpc.ServiceError | null;
  readonly response: Buffer | undefined;
}

export function exportOverGrpc(
  address: string,
  signal: Signal,
  body: Buffer,
  channelOptions: grpc.ChannelOptions = {},
  client?: grpc.Client,
): Promise<GrpcExportResult> {
  const own = client ?? new grpc.Client(address, grpc.credentials.createInsecure(), channelOptions);
  return new Promise((resolve) => {
    own.makeUnaryRequest(PATHS[signal], identity, identity, body, { deadline: Date.now() + 10_000 }, (error, response) => {
      if (client === undefined) own.close();
      resolve({ error: error ?? null, response });
    });
  });
}
