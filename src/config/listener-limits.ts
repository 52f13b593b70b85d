// The limits every listener keeps against clients that hold connections open: how many
// connections at once (in all, and from one client address), and how long a connection may take to
// say something. Shared by the OTLP/HTTP and OTLP/gRPC receivers (receivers.otlp.protocols.*) and
// the admin endpoint (service.telemetry.metrics.*); docs/config.md lists the keys of each.
// Key names follow the Collector's confighttp (read_header_timeout, read_timeout, idle_timeout)
// and configgrpc (keepalive.server_parameters.max_connection_idle) where it has one.

import { joinPath, withDefault, type ConfigProblem } from './schema.js';
import { duration, integer } from './value-types.js';

export interface ConnectionLimits {
  /** Open connections at once on this listener; 0: no limit. */
  readonly maxConnections: number;
  /** Open connections at once from one client address; 0: no limit. */
  readonly maxConnectionsPerClient: number;
}

/** HTTP/1.1 listeners: Node's headersTimeout, requestTimeout, keepAliveTimeout and maxRequestsPerSocket. */
export interface HttpServerLimits extends ConnectionLimits {
  /** From connecting (later requests on a kept-alive connection: from their first byte) to the end of the headers; 0: none. */
  readonly readHeaderTimeoutMs: number;
  /** From the start of a request to the end of its body; 0: none. */
  readonly readTimeoutMs: number;
  /** How long an idle keep-alive connection is kept between requests. */
  readonly idleTimeoutMs: number;
  /** Requests served on one connection before it is closed; 0: no limit. */
  readonly maxRequestsPerConnection: number;
}

/** The connection keys of an HTTP listener, as schema fields, with `defaults` filled in. */
export function httpLimitFields(defaults: HttpServerLimits) {
  return {
    max_connections: withDefault(integer(0), defaults.maxConnections),
    max_connections_per_client: withDefault(integer(0), defaults.maxConnectionsPerClient),
    read_header_timeout: withDefault(duration, defaults.readHeaderTimeoutMs),
    read_timeout: withDefault(duration, defaults.readTimeoutMs),
    idle_timeout: withDefault(duration, defaults.idleTimeoutMs),
    max_requests_per_connection: withDefault(integer(0), defaults.maxRequestsPerConnection),
  };
}

interface HttpLimitKeys {
  readonly max_connections: number;
  readonly max_connections_per_client: number;
  readonly read_header_timeout: number;
  readonly read_timeout: number;
  readonly idle_timeout: number;
  readonly max_requests_per_connection: number;
}

export function httpLimitsOf(d: HttpLimitKeys): HttpServerLimits {
  return {
    maxConnections: d.max_connections,
    maxConnectionsPerClient: d.max_connections_per_client,
    readHeaderTimeoutMs: d.read_header_timeout,
    readTimeoutMs: d.read_timeout,
    idleTimeoutMs: d.idle_timeout,
    maxRequestsPerConnection: d.max_requests_per_connection,
  };
}

/** Node refuses a header timeout longer than the request timeout; so does the config, at its path. */
export function checkHttpLimits(d: HttpLimitKeys, path: string, problems: ConfigProblem[]): void {
  if (d.read_timeout > 0 && (d.read_header_timeout === 0 || d.read_header_timeout > d.read_timeout)) {
    problems.push({
      path: joinPath(path, 'read_header_timeout'),
      message: `expected at most read_timeout (${d.read_timeout}ms) and not 0 while read_timeout is set, got ${d.read_header_timeout}ms`,
    });
  }
  if (d.max_connections > 0 && d.max_connections_per_client > d.max_connections) {
    problems.push({
      path: joinPath(path, 'max_connections_per_client'),
      message: `expected at most max_connections (${d.max_connections}), got ${d.max_connections_per_client}`,
    });
  }
}

/**
 * The most connections every listener of `config` may hold together (Infinity when one has no
 * limit): the admin endpoint and each receiver protocol whose config carries `limits`.
 */
export function connectionBudget(config: { readonly admin: { readonly limits: ConnectionLimits }; readonly receivers: ReadonlyMap<string, object> }): number {
  const limits: ConnectionLimits[] = [config.admin.limits];
  for (const receiver of config.receivers.values()) {
    for (const protocol of Object.values(receiver) as unknown[]) {
      const found = (protocol as { limits?: ConnectionLimits } | null)?.limits;
      if (typeof protocol === 'object' && found !== undefined) limits.push(found);
    }
  }
  return limits.reduce((sum, { maxConnections }) => sum + (maxConnections === 0 ? Infinity : maxConnections), 0);
}
