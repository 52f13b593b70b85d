// `host:port` endpoints as the Collector writes them. The host may be empty (all interfaces), a
// name, IPv4, or bracketed IPv6 (`[::1]:4318`); port 0 asks the OS for any free port (tests use it).

export interface Endpoint {
  /** As written, without IPv6 brackets; '' means all interfaces. */
  readonly host: string;
  readonly port: number;
}

const ENDPOINT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]*)):(\d{1,5})$/;

export function parseEndpoint(text: string): Endpoint | null {
  const match = ENDPOINT.exec(text);
  if (match === null) return null;
  const port = Number(match[3]);
  if (port > 65535) return null;
  return { host: match[1] ?? match[2], port };
}

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

/** True for a host (as written or as bound) that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return LOOPBACK_HOSTS.has(bare) || bare.startsWith('127.') || bare.startsWith('::ffff:127.');
}

/** True when both would bind the same socket: same non-zero port on the same or a wildcard host. */
export function endpointsClash(a: Endpoint, b: Endpoint): boolean {
  if (a.port === 0 || a.port !== b.port) return false;
  return a.host === b.host || WILDCARD_HOSTS.has(a.host) || WILDCARD_HOSTS.has(b.host);
}

/** True when a URL host names this machine the way a receiver bound to `receiverHost` answers it. */
export function isOwnHost(urlHost: string, receiverHost: string): boolean {
  const host = urlHost.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return LOOPBACK_HOSTS.has(host) || WILDCARD_HOSTS.has(host) || host === receiverHost.toLowerCase();
}
