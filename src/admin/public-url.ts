// Links into the admin API that leave Faultline (a group's link in a notification). The base is
// service.public_url when set (validated at load: http(s), no trailing slash), else derived from
// the admin endpoint as bound: http://<host>:<port>, a wildcard host (0.0.0.0, ::, '') replaced by
// this machine's hostname, which is what other machines can most likely resolve. Behind a proxy,
// TLS or NAT the derived base is wrong: set service.public_url.

import { hostname } from 'node:os';

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::']);

/** The base of links: `publicUrl`, else http://<host>:<port> of the bound admin endpoint. */
export function linkBase(publicUrl: string, bound: { readonly host: string; readonly port: number }): string {
  if (publicUrl !== '') return publicUrl;
  const host = WILDCARD_HOSTS.has(bound.host) ? hostname() : bound.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound.port}`;
}

/** The API path of one group; the admin server answers it (and 308 for an id merged away). */
export function groupPath(id: string): string {
  return `/api/v1/groups/${encodeURIComponent(id)}`;
}

export function groupUrl(base: string, id: string): string {
  return `${base}${groupPath(id)}`;
}
