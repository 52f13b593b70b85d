// An HTTP/1.1 server with the listener limits of config/listener-limits.ts, for the OTLP/HTTP
// receiver and the admin endpoint: connection limits (connection-gate.ts), request headers within
// read_header_timeout (also from connecting: a connection that never sends a byte is closed then),
// the whole request within read_timeout, idle keep-alive connections closed after idle_timeout,
// and at most max_requests_per_connection requests per connection. Node checks the two read
// timeouts on an interval; it is a quarter of the header timeout here (Node's default is 30 s), so
// a connection is closed between 1 and 1.25 times its timeout.
// Requests Node's parser refuses never reach the handler; they are answered as Node's default
// handler answers them: 431 for headers past the parser's limit (16 KiB), 408 for a request not
// received in time (counted in faultline_listener_connections_timed_out_total, reason `read`),
// 400 for anything else malformed.

import http from 'node:http';
import type { HttpServerLimits } from '../config/listener-limits.js';
import { limitConnections, type ConnectionGate, type ListenerMetrics } from './connection-gate.js';

/** Parser error codes → the status line Node's default clientError handler sends for them. */
const CLIENT_ERROR_STATUS: { readonly [code: string]: string } = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

const MIN_CHECK_INTERVAL_MS = 50;
const MAX_CHECK_INTERVAL_MS = 30_000;

export interface LimitedHttpServer {
  readonly server: http.Server;
  readonly gate: ConnectionGate;
}

export function createLimitedHttpServer(
  options: { listener: string; limits: HttpServerLimits; metrics: ListenerMetrics },
  handler: http.RequestListener,
): LimitedHttpServer {
  const { listener, limits, metrics } = options;
  const shortest = Math.min(...[limits.readHeaderTimeoutMs, limits.readTimeoutMs].filter((ms) => ms > 0), MAX_CHECK_INTERVAL_MS * 4);
  const server = http.createServer(
    {
      headersTimeout: limits.readHeaderTimeoutMs,
      requestTimeout: limits.readTimeoutMs,
      keepAliveTimeout: limits.idleTimeoutMs,
      connectionsCheckingInterval: Math.max(MIN_CHECK_INTERVAL_MS, Math.floor(shortest / 4)),
    },
    handler,
  );
  server.maxRequestsPerSocket = limits.maxRequestsPerConnection;
  const gate = limitConnections(server, { listener, limits, metrics });
  metrics.timedOut.inc({ listener, reason: 'read' }, 0);
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') gate.timedOut('read');
    if (!socket.writable) return socket.destroy();
    // Closed once the answer is flushed, whether or not the client closes its side.
    socket.once('finish', () => socket.destroy());
    socket.end(`HTTP/1.1 ${CLIENT_ERROR_STATUS[error.code ?? ''] ?? '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
  });
  return { server, gate };
}
