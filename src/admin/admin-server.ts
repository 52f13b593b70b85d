// The admin endpoint (service.telemetry.metrics.address; its default in config/defaults.ts):
//   GET /metrics       Prometheus text, or OpenMetrics with exemplars when the scraper asks for it
//   GET /health        every component's state; 200 when all are ok or degraded, 503 otherwise
//   GET /health/live   200 while the process serves requests
//   GET /health/ready  200 once every component has started, 503 before and during shutdown
// The /health paths are served only when given a Health: service.ts gives one when the
// health_check extension is listed in service.extensions, as the Collector starts only the
// extensions listed there. Without it they answer 404 like any unknown path.
// Components add their own API routes (e.g. /api/v1/groups/:id) with route() before start().
// Any other path gets 404 with the paths to try, /api/v1/* among them when components serve it.
// Every request first passes the gate of auth.ts (service.telemetry.metrics.auth: bearer tokens,
// basic auth, CSRF); GET /api/v1/session tells the caller how it was admitted and what it may do.
// Its connections are limited as every listener's are (internal/http-listener.ts; keys
// service.telemetry.metrics.*), with a budget of its own: a flood on an ingest port does not reach
// it, and a flood on it is refused past max_connections. Metrics under listener="admin".

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Component } from '../component.js';
import { ADMIN_DEFAULTS } from '../config/defaults.js';
import type { HttpServerLimits } from '../config/listener-limits.js';
import { formatEndpoint, listenEndpoint } from '../internal/endpoint.js';
import { createLimitedHttpServer } from '../internal/http-listener.js';
import { renderMetrics } from '../metrics/registry.js';
import { listenerMetrics } from '../metrics/self-metrics.js';
import type { AdminAuthConfig } from '../config/admin-auth.js';
import { createAdminGate, sessionOf } from './auth.js';
import type { Health } from './health.js';
import type { AdminRoutes, RouteHandler } from './routes.js';

export type { AdminRoutes, RouteHandler } from './routes.js';

export interface AdminServer extends Component, AdminRoutes {
  address(): { host: string; port: number };
}

interface Route {
  readonly method: string;
  readonly segments: readonly string[];
  readonly handler: RouteHandler;
  readonly public: boolean;
}

function matchRoute(route: Route, method: string, segments: readonly string[]): Record<string, string> | undefined {
  if (route.method !== method || route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const expected = route.segments[i];
    if (expected.startsWith(':')) params[expected.slice(1)] = decodeURIComponent(segments[i]);
    else if (expected !== segments[i]) return undefined;
  }
  return params;
}

export function createAdminServer(options: {
  endpoint: string;
  /** Default: ADMIN_DEFAULTS.limits. */
  limits?: HttpServerLimits;
  registry: Registry;
  /** Serve /health, /health/live and /health/ready from it; absent, those paths are not served. */
  health?: Health;
  /** Who may use it; default ADMIN_DEFAULTS.auth (open). */
  auth?: AdminAuthConfig;
  /** service.public_url: its origin is this endpoint's own besides the Host a request names (CSRF). */
  publicUrl?: string;
  logger: Logger;
}): AdminServer {
  const { endpoint, registry, health, logger } = options;
  const routes: Route[] = [];
  const gate = createAdminGate({ auth: options.auth ?? ADMIN_DEFAULTS.auth, publicUrl: options.publicUrl, registry, logger });

  function findRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const segments = path.split('/');
    for (const route of routes) {
      const params = matchRoute(route, method, segments);
      if (params !== undefined) return { route, params };
    }
    return undefined;
  }

  function failed(response: http.ServerResponse, path: string, error: unknown): void {
    logger.error({ err: error, path }, 'admin API request failed');
    if (!response.headersSent) json(response, 500, { error: 'internal error' });
    else response.destroy();
  }

  const limits = options.limits ?? ADMIN_DEFAULTS.limits;
  const { server } = createLimitedHttpServer({ listener: 'admin', limits, metrics: listenerMetrics(registry) }, (request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    const found = findRoute(request.method ?? 'GET', path);
    gate
      .admit(request, response, path, found?.route.public === true)
      .then(async (admitted) => {
        if (!admitted) request.resume();
        else if (found !== undefined) await found.route.handler(request, response, found.params);
        else serveBuiltIn(request, response, path);
      })
      .catch((error: unknown) => failed(response, path, error));
  });

  /** /metrics, /health* and the 404 for any path no route serves. */
  function serveBuiltIn(request: http.IncomingMessage, response: http.ServerResponse, path: string): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('use GET\n');
      return;
    }
    if (path === '/metrics') {
      renderMetrics(registry, request.headers.accept).then(
        ({ contentType, body }) => response.writeHead(200, { 'Content-Type': contentType }).end(body),
        (error: unknown) => {
          logger.error({ err: error }, 'rendering /metrics failed');
          response.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics could not be rendered\n');
        },
      );
      return;
    }
    if (health !== undefined && serveHealth(health, path, response)) return;
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`no such path ${path}; try ${pathsToTry()}\n`);
  }

  const sessionRoute: Route = { method: 'GET', segments: '/api/v1/session'.split('/'), handler: (request, response) => json(response, 200, sessionOf(request)), public: false };
  routes.push(sessionRoute);

  function pathsToTry(): string {
    const paths = health === undefined ? ['/metrics'] : ['/metrics', '/health', '/health/live', '/health/ready'];
    if (routes.some((route) => route !== sessionRoute && route.segments[1] === 'api' && route.segments[2] === 'v1')) paths.push('/api/v1/*');
    return paths.length === 1 ? paths[0]! : `${paths.slice(0, -1).join(', ')} or ${paths.at(-1)}`;
  }

  return {
    route(method, path, handler, routeOptions) {
      routes.push({ method: method.toUpperCase(), segments: path.split('/'), handler, public: routeOptions?.public === true });
    },
    start() {
      const { host, port } = listenEndpoint(endpoint);
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host || undefined, () => {
          server.off('error', reject);
          const bound = formatEndpoint(host, (server.address() as AddressInfo).port);
          logger.info({ endpoint: bound }, 'admin server listening');
          gate.warnIfExposed((server.address() as AddressInfo).address, bound);
          resolve();
        });
      });
    },
    async shutdown() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
    address() {
      const address = server.address() as AddressInfo;
      return { host: address.address, port: address.port };
    },
  };
}

/** Answers the health_check extension's paths; false for any other path. */
function serveHealth(health: Health, path: string, response: http.ServerResponse): boolean {
  switch (path) {
    case '/health': {
      const report = health.report();
      json(response, report.status === 'unavailable' ? 503 : 200, report);
      return true;
    }
    case '/health/live':
      json(response, 200, { status: 'ok' });
      return true;
    case '/health/ready':
      json(response, health.ready() ? 200 : 503, { status: health.ready() ? 'ok' : 'unavailable' });
      return true;
    default:
      return false;
  }
}

export function json(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
