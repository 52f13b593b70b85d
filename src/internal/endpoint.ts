// `host:port` endpoints as written in config (`0.0.0.0:4318`, `[::1]:4317`, `:9464`).

export interface Endpoint {
  /** '' means every interface. */
  readonly host: string;
  readonly port: number;
}

export function parseEndpoint(endpoint: string): Endpoint {
  const colon = endpoint.lastIndexOf(':');
  let host = endpoint.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port: Number(endpoint.slice(colon + 1)) };
}

/** host:port for logs and URLs, with IPv6 hosts bracketed. */
export function formatEndpoint(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
