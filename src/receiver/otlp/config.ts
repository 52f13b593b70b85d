// The `otlp` receiver's config (receivers.otlp[/name]): OTLP over gRPC and/or HTTP, as in the
// Collector's otlpreceiver. Its shape, defaults and schema, and the sockets it asks for (for the
// port-clash checks in config/cross-checks.ts).

import type { Listener } from '../../component.js';
import { checkHttpLimits, httpLimitFields, httpLimitsOf, type ConnectionLimits, type HttpServerLimits } from '../../config/listener-limits.js';
import { isMap, joinPath, list, map, object, optional, withDefault, type ComponentType, type Type } from '../../config/schema.js';
import { boolean, corsOrigin, duration, endpoint, headerName, integer, number, size } from '../../config/value-types.js';

export interface CorsConfig {
  /** Exact origins, or patterns with one `*` wildcard (e.g. `https://*.example.com`). Empty: CORS off. */
  readonly allowedOrigins: readonly string[];
  /** Extra request headers allowed beyond the safe-listed ones and Content-Type/Content-Encoding. */
  readonly allowedHeaders: readonly string[];
  /** Access-Control-Max-Age, seconds. */
  readonly maxAgeSeconds: number;
}

export interface OtlpHttpConfig {
  /** host:port. */
  readonly endpoint: string;
  /** Connections, read timeouts and keep-alive. */
  readonly limits: HttpServerLimits;
  /** Largest body accepted after decompression, bytes. */
  readonly maxRequestBodyBytes: number;
  readonly cors: CorsConfig;
}

export interface OtlpGrpcConfig {
  /** host:port. */
  readonly endpoint: string;
  /** Largest message accepted after decompression, bytes. */
  readonly maxRecvMsgSizeBytes: number;
  /** Shortest interval between client pings the server tolerates. */
  readonly keepaliveMinTimeMs: number;
  /** Allow pings while no call is active. */
  readonly keepalivePermitWithoutStream: boolean;
  readonly limits: ConnectionLimits;
  /** From connecting to the client's HTTP/2 preface; a connection without one is closed then. */
  readonly handshakeTimeoutMs: number;
  /** A connection with no call in flight for this long is closed (GOAWAY). */
  readonly maxConnectionIdleMs: number;
}

export interface OtlpReceiverConfig {
  readonly type: 'otlp';
  /** The component id as written in YAML, e.g. `otlp` or `otlp/edge`. */
  readonly id: string;
  /** Null when the protocol is not configured. At least one of the two is set. */
  readonly grpc: OtlpGrpcConfig | null;
  readonly http: OtlpHttpConfig | null;
}

const MiB = 1024 * 1024;

export const OTLP_GRPC_DEFAULTS: OtlpGrpcConfig = {
  endpoint: '0.0.0.0:4317',
  maxRecvMsgSizeBytes: 4 * MiB,
  keepaliveMinTimeMs: 5_000,
  keepalivePermitWithoutStream: true,
  limits: { maxConnections: 4096, maxConnectionsPerClient: 256 },
  handshakeTimeoutMs: 10_000,
  maxConnectionIdleMs: 300_000,
};

export const CORS_DEFAULTS: CorsConfig = {
  allowedOrigins: [],
  allowedHeaders: [],
  maxAgeSeconds: 7200,
};

export const OTLP_HTTP_DEFAULTS: OtlpHttpConfig = {
  endpoint: '0.0.0.0:4318',
  limits: {
    maxConnections: 4096,
    maxConnectionsPerClient: 256,
    readHeaderTimeoutMs: 10_000,
    readTimeoutMs: 60_000,
    // Longer than the 60 s idle timeout of common load balancers, so they close first.
    idleTimeoutMs: 65_000,
    maxRequestsPerConnection: 0,
  },
  maxRequestBodyBytes: 4 * MiB,
  cors: CORS_DEFAULTS,
};

/** With no protocols configured the schema rejects the receiver; these are the defaults of each. */
export const OTLP_RECEIVER_DEFAULTS: Omit<OtlpReceiverConfig, 'type' | 'id'> = { grpc: OTLP_GRPC_DEFAULTS, http: OTLP_HTTP_DEFAULTS };

const grpc: Type<OtlpGrpcConfig> = map(
  object({
    endpoint: withDefault(endpoint, OTLP_GRPC_DEFAULTS.endpoint),
    max_recv_msg_size_mib: withDefault(
      number({ min: 0, exclusiveMin: true }),
      OTLP_GRPC_DEFAULTS.maxRecvMsgSizeBytes / MiB,
    ),
    keepalive: object({
      enforcement_policy: object({
        min_time: withDefault(duration, OTLP_GRPC_DEFAULTS.keepaliveMinTimeMs),
        permit_without_stream: withDefault(boolean, OTLP_GRPC_DEFAULTS.keepalivePermitWithoutStream),
      }),
      server_parameters: object({
        max_connection_idle: withDefault(duration, OTLP_GRPC_DEFAULTS.maxConnectionIdleMs),
      }),
    }),
    max_connections: withDefault(integer(0), OTLP_GRPC_DEFAULTS.limits.maxConnections),
    max_connections_per_client: withDefault(integer(0), OTLP_GRPC_DEFAULTS.limits.maxConnectionsPerClient),
    handshake_timeout: withDefault(duration, OTLP_GRPC_DEFAULTS.handshakeTimeoutMs),
  }, (d, path, problems) => {
    if (d.max_connections > 0 && d.max_connections_per_client > d.max_connections) {
      problems.push({
        path: joinPath(path, 'max_connections_per_client'),
        message: `expected at most max_connections (${d.max_connections}), got ${d.max_connections_per_client}`,
      });
    }
  }),
  (d) => ({
    endpoint: d.endpoint,
    maxRecvMsgSizeBytes: Math.round(d.max_recv_msg_size_mib * MiB),
    keepaliveMinTimeMs: d.keepalive.enforcement_policy.min_time,
    keepalivePermitWithoutStream: d.keepalive.enforcement_policy.permit_without_stream,
    limits: { maxConnections: d.max_connections, maxConnectionsPerClient: d.max_connections_per_client },
    handshakeTimeoutMs: d.handshake_timeout,
    maxConnectionIdleMs: d.keepalive.server_parameters.max_connection_idle,
  }),
);

const http: Type<OtlpHttpConfig> = map(
  object({
    endpoint: withDefault(endpoint, OTLP_HTTP_DEFAULTS.endpoint),
    max_request_body_size: withDefault(size, OTLP_HTTP_DEFAULTS.maxRequestBodyBytes),
    ...httpLimitFields(OTLP_HTTP_DEFAULTS.limits),
    cors: object({
      allowed_origins: withDefault(list(corsOrigin), CORS_DEFAULTS.allowedOrigins),
      allowed_headers: withDefault(list(headerName), CORS_DEFAULTS.allowedHeaders),
      max_age: withDefault(integer(0), CORS_DEFAULTS.maxAgeSeconds),
    }),
  }, checkHttpLimits),
  (d) => ({
    endpoint: d.endpoint,
    limits: httpLimitsOf(d),
    maxRequestBodyBytes: d.max_request_body_size,
    cors: {
      allowedOrigins: d.cors.allowed_origins,
      allowedHeaders: d.cors.allowed_headers,
      maxAgeSeconds: d.cors.max_age,
    },
  }),
);

export const otlpReceiverType: ComponentType<OtlpReceiverConfig> = map(
  object({
    protocols: object({ grpc: optional(grpc), http: optional(http) }, (d, path, problems) => {
      if (d.grpc === null && d.http === null) problems.push({ path, message: 'expected at least one of grpc, http' });
    }),
  }),
  (d) =>
    (id: string): OtlpReceiverConfig => ({ type: 'otlp', id, grpc: d.protocols.grpc, http: d.protocols.http }),
);

/** The endpoints the raw YAML body asks for, defaults applied; malformed ones are the schema's problem. */
export function otlpListeners(body: unknown, path: string): Listener[] {
  if (!isMap(body) || !isMap(body.protocols)) return [];
  const listeners: Listener[] = [];
  for (const protocol of ['grpc', 'http'] as const) {
    if (!(protocol in body.protocols)) continue;
    const settings = body.protocols[protocol] ?? {};
    if (!isMap(settings)) continue;
    const fallback = protocol === 'grpc' ? OTLP_GRPC_DEFAULTS.endpoint : OTLP_HTTP_DEFAULTS.endpoint;
    const value = settings.endpoint === undefined ? fallback : typeof settings.endpoint === 'string' ? settings.endpoint : '';
    listeners.push({ path: `${path}.protocols.${protocol}.endpoint`, protocol, endpoint: value });
  }
  return listeners;
}
