// One HTTP listener of a receiver: the server, its start (listen on the configured endpoint) and
// shutdown (finish in-flight requests, then close what is left after shutdown_timeout), shared by
// the OTLP/HTTP and Sentry receivers. Requests Node's parser refuses never reach the handler; they
// are answered as Node's default handler (and so the admin port) answers them: 431 for headers past
// the parser's limit (16 KiB), 408 for a request not received in time, 400 for anything else.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Component } from '../component.js';
import { formatEndpoint, listenEndpoint } from '../internal/endpoint.js';
import type { HttpHandler } from './http-mounts.js';

export interface HttpListener extends Component {
  /** The bound address (useful with port 0). */
  address(): { host: string; port: number };
}

/** Parser error codes → the status line Node's default clientError handler sends for them. */
const CLIENT_ERROR_STATUS: { readonly [code: string]: string } = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

export function createHttpListener(options: {
  endpoint: string;
  handler: HttpHandler;
  logger: Logger;
  shutdownTimeoutMs: number;
  /** How the start-up log line names it (`OTLP/HTTP receiver`). */
  name: string;
}): HttpListener {
  const { endpoint, handler, logger, shutdownTimeoutMs, name } = options;
  const server = http.createServer({ keepAliveTimeout: 65_000 }, handler);
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable) socket.end(`HTTP/1.1 ${CLIENT_ERROR_STATUS[error.code ?? ''] ?? '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
    else socket.destroy();
  });
  return {
    start() {
      const { host, port } = listenEndpoint(endpoint);
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host || undefined, () => {
          server.off('error', reject);
          logger.info({ endpoint: formatEndpoint(host, (server.address() as AddressInfo).port) }, `${name} listening`);
          resolve();
        });
      });
    },
    async shutdown() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
    },
    address() {
      const address = server.address() as AddressInfo;
      return { host: address.address, port: address.port };
    },
  };
}
