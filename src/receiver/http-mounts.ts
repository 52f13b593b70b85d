// HttpMounts lets a receiver serve its paths on another receiver's listener: the sentry receiver
// (with no endpoint of its own) mounts /api/ on every OTLP/HTTP listener, so Sentry SDKs use the
// OTLP/HTTP port. service.ts makes one per instance and hands it to every receiver factory.

import type http from 'node:http';

export type HttpHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

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
