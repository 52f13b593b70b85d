// One HTTP listener of a receiver: the server, its start (listen on the configured endpoint) and
// shutdown (finish in-flight requests, then close what is left after shutdown_timeout), shared by
// the OTLP/HTTP, Sentry and report receivers. The server is internal/http-listener.ts's: connection limits,
// read and idle timeouts, and Node's parser refusals answered 431 / 408 / 400 as the admin port
// answers them.

import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Component, ReceiverPart } from '../component.js';
import type { HttpServerLimits } from '../config/listener-limits.js';
import type { ListenerMetrics } from '../internal/connection-gate.js';
import { formatEndpoint, listenEndpoint } from '../internal/endpoint.js';
import { createLimitedHttpServer } from '../internal/http-listener.js';
import type { HttpHandler } from './http-mounts.js';
import { OTLP_HTTP_DEFAULTS } from './otlp/config.js';

export interface HttpListener extends Component {
  /** The bound address (useful with port 0). */
  address(): { host: string; port: number };
}

export function createHttpListener(options: {
  endpoint: string;
  handler: HttpHandler;
  logger: Logger;
  shutdownTimeoutMs: number;
  /** How the start-up log line names it (`OTLP/HTTP receiver`). */
  name: string;
  /** Its name in the listener metrics (`otlp.http`), its limits, and those metrics. */
  listener: string;
  limits: HttpServerLimits;
  listenerMetrics: ListenerMetrics;
}): HttpListener {
  const { endpoint, handler, logger, shutdownTimeoutMs, name } = options;
  const { server } = createLimitedHttpServer({ listener: options.listener, limits: options.limits, metrics: options.listenerMetrics }, handler);
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

/**
 * A receiver that could mount on the OTLP/HTTP port, given a listener of its own instead: it starts
 * before its listener and stops accepting before the listener drains. Its port takes the OTLP/HTTP
 * port's default connection limits and timeouts; it is `<id>.http` in the listener metrics.
 */
export function onOwnListener(
  receiver: Component & { readonly handler: HttpHandler },
  options: { id: string; endpoint: string; name: string; logger: Logger; shutdownTimeoutMs: number; listenerMetrics: ListenerMetrics },
): ReceiverPart {
  const { id, ...rest } = options;
  const listener = createHttpListener({ ...rest, handler: receiver.handler, listener: `${id}.http`, limits: OTLP_HTTP_DEFAULTS.limits });
  const both: Component = {
    start: async () => {
      await receiver.start();
      await listener.start();
    },
    shutdown: async () => {
      await receiver.shutdown();
      await listener.shutdown();
    },
  };
  return { component: both, address: () => listener.address() };
}
