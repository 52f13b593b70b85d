// HttpMounts lets a receiver serve its paths on another receiver's listener: the sentry receiver
// mounts /api/ and the report receiver /api/v1/report and /report on every OTLP/HTTP listener
// (when they have no endpoint of their own), so apps need only the OTLP/HTTP port. service.ts
// makes one per instance and hands it to every receiver factory. An exact path wins over a prefix.
// What such a receiver's config shares is in mounted-config.ts.

import type http from 'node:http';

export type HttpHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export interface HttpMounts {
  /** Serves paths starting with `prefix` with `handler` on every OTLP/HTTP listener (before start). */
  mount(prefix: string, handler: HttpHandler): void;
  /** Serves exactly `path` (query aside) with `handler` on every OTLP/HTTP listener (before start). */
  mountPath(path: string, handler: HttpHandler): void;
  /** The handler mounted for `path`, if any. */
  find(path: string): HttpHandler | undefined;
}

export function createHttpMounts(): HttpMounts {
  const prefixes: { prefix: string; handler: HttpHandler }[] = [];
  const exact = new Map<string, HttpHandler>();
  return {
    mount: (prefix, handler) => void prefixes.push({ prefix, handler }),
    mountPath: (path, handler) => void exact.set(path, handler),
    find: (path) => exact.get(path) ?? prefixes.find((entry) => path.startsWith(entry.prefix))?.handler,
  };
}
