// One HTTP listener of a receiver: the server, its start (listen on the configured endpoint) and
// shutdown (finish in-flight requests, then close what is left after shutdown_timeout), shared by
// the OTLP/HTTP and Sentry receivers. Requests Node's parser refuses never reach the handler; they
// are answered as Node's default handler (and so the admin port) answers them: 431 for headers past
// the parser's limit (16 KiB), 408 for a request not received in time, 400 for anything else.
//
// HttpMounts lets a receiver serve its paths on another receiver's listener: the sentry receiver
// (with no endpoint of its own) mounts /api/ on every OTLP/HTTP listener, so Sentry SDKs use the
// OTLP/HTTP port. service.ts makes one per instance and hands it to every receiver factory.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Component } from '../component.js';
import { formatEndpoint, listenEndpoint } from '../internal/endpoint.js';

export type HttpHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

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

export interface HttpMounts {
  /** Serves paths starting with `prefix` with `handler` on every OTLP/HTTP listener (before start). */
  mount(prefix: string, handler: HttpHandler): void;
  /** The handler mounted for `path`, if any. */
  find(path: string): HttpHandler | undefined;
}

export function createHttpMounts(): HttpMounts {
  const mounts: { prefix: string; handler: HttpHandler }[] = [];
  return {
    mount: (prefix, handler) => void mounts.push({ prefix, handler }),
    find: (path) => mounts.find((entry) => path.startsWith(entry.prefix))?.handler,
  };
}
