// Where a component listens, from an endpoint that config validation has already checked.

import { parseEndpoint, type Endpoint } from '../config/endpoints.js';

export function listenEndpoint(text: string): Endpoint {
  const endpoint = parseEndpoint(text);
  if (endpoint === null) throw new Error(`invalid endpoint ${JSON.stringify(text)} passed validation`);
  return endpoint;
}

/** host:port for logs, with IPv6 hosts bracketed. */
export function formatEndpoint(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
