// What a component may do with the admin endpoint: register API routes on it before start. A
// leaf interface, so components and the contexts in component.ts need not import the server.

import type http from 'node:http';

export type RouteHandler = (
  request: http.IncomingMessage,
  response: http.ServerResponse,
  params: Readonly<Record<string, string>>,
) => void | Promise<void>;

export interface AdminRoutes {
  /**
   * Serves `method path`; `:name` segments match one path segment each and arrive in params.
   * Behind the admin endpoint's authentication (admin/auth.ts) unless `public` (for answers that
   * show no data, such as where a path moved); the handler reads the caller's session with sessionOf().
   */
  route(method: string, path: string, handler: RouteHandler, options?: { readonly public?: boolean }): void;
  /**
   * The bound address once started: the base of links when service.public_url is empty
   * (public-url.ts). Optional so that stand-ins in tests need only route().
   */
  address?(): { host: string; port: number };
}
