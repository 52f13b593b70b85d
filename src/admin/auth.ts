// The admin endpoint's gate (keys under service.telemetry.metrics.auth, config/admin-auth.ts): every
// request passes here before its route. With no credentials configured everyone may do everything,
// and start-up warns when the endpoint listens beyond loopback. With credentials:
//   - open: /ui/assets/* (static files with no data), routes registered as public (the note that
//     /report moved), and /metrics and /health* unless protect_metrics / protect_health;
//   - GET and HEAD need read access; every other method needs write access;
//   - 401 with WWW-Authenticate (Bearer and/or Basic) without valid credentials, 403 for a
//     read-only credential that tries to write.
// CSRF: a browser sends Basic credentials by itself, so a mutating request is refused (403) when
// Sec-Fetch-Site says another site or its Origin is not the endpoint's own (its Host, or
// service.public_url), and, when it was authenticated by Basic auth, unless it carries
// `X-Faultline-CSRF: 1`: a page of another site cannot add that header without a CORS preflight,
// which this endpoint never grants. Bearer-token clients (curl, CI) need no header.
// Refusals are counted in faultline_admin_auth_failures_total{reason}, never logged one by one;
// no credential ever reaches a log line, a metric or an answer.

import type http from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AdminAuthConfig } from '../config/admin-auth.js';
import { isLoopbackHost } from '../config/endpoints.js';
import { EXPOSED_WARNING } from '../config/warnings.js';
import { adminAuthFailures, type AdminAuthFailure } from '../metrics/self-metrics.js';
import { createCredentials, type AdminSession } from './credentials.js';

export type { AdminSession } from './credentials.js';

/** The header the UI sends on every mutating request (any value): proof that Faultline's own page sent it. */
export const CSRF_HEADER = 'X-Faultline-CSRF';

const sessions = new WeakMap<http.IncomingMessage, AdminSession>();

/** Who sent a request the gate let through (undefined on open paths). */
export function sessionOf(request: http.IncomingMessage): AdminSession | undefined {
  return sessions.get(request);
}

export interface AdminGate {
  readonly enabled: boolean;
  /**
   * Resolves true when `request` may go on to its route (its session is then sessionOf(request)),
   * false when the gate has answered it. `publicRoute`: a route registered as public.
   */
  admit(request: http.IncomingMessage, response: http.ServerResponse, path: string, publicRoute: boolean): Promise<boolean>;
  /** Logs the start-up warning when the endpoint is open and bound beyond loopback. */
  warnIfExposed(host: string, endpoint: string): void;
}

export function createAdminGate(options: { auth: AdminAuthConfig; publicUrl?: string; registry: Registry; logger: Logger }): AdminGate {
  const { auth, logger } = options;
  const credentials = createCredentials(auth);
  const failures = adminAuthFailures(options.registry);
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin.toLowerCase() : undefined;

  function isOpen(path: string, publicRoute: boolean): boolean {
    if (publicRoute || path.startsWith('/ui/assets/')) return true;
    if (path === '/metrics') return !auth.protectMetrics;
    if (path === '/health' || path.startsWith('/health/')) return !auth.protectHealth;
    return false;
  }

  function refuse(response: http.ServerResponse, reason: AdminAuthFailure, status: 401 | 403, message: string): false {
    failures.inc({ reason });
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
    if (status === 401) headers['WWW-Authenticate'] = [...credentials.challenges];
    response.writeHead(status, headers).end(JSON.stringify({ error: message }));
    return false;
  }

  /** The CSRF refusal for a mutating request, if it deserves one. */
  function crossSite(request: http.IncomingMessage, session: AdminSession): [AdminAuthFailure, string] | undefined {
    const site = header(request, 'sec-fetch-site');
    if (site === 'cross-site' || site === 'same-site') {
      return ['cross_origin', `${request.method} from another site refused (Sec-Fetch-Site: ${site}); use Faultline's own page or a bearer token`];
    }
    const origin = header(request, 'origin');
    if (origin !== undefined && !isOwnOrigin(origin.toLowerCase(), header(request, 'host'))) {
      return ['cross_origin', `${request.method} from origin ${JSON.stringify(origin)} refused: only this admin endpoint's own pages may change data`];
    }
    if (session.auth === 'basic' && header(request, CSRF_HEADER.toLowerCase()) === undefined) {
      return ['missing_csrf_header', `${request.method} with Basic credentials needs the header ${CSRF_HEADER}: 1 (Faultline's page sends it; scripts may use a bearer token instead)`];
    }
    return undefined;
  }

  function isOwnOrigin(origin: string, host: string | undefined): boolean {
    if (origin === publicOrigin) return true;
    if (host === undefined) return false;
    const lowered = host.toLowerCase();
    return origin === `http://${lowered}` || origin === `https://${lowered}`;
  }

  return {
    enabled: credentials.enabled,
    async admit(request, response, path, publicRoute) {
      if (isOpen(path, publicRoute)) return true;
      const identified = await credentials.identify(header(request, 'authorization'));
      if (identified === 'missing') return refuse(response, 'missing_credentials', 401, 'authentication required: send Authorization: Bearer <token>, or Basic credentials');
      if (identified === 'wrong') return refuse(response, 'bad_credentials', 401, 'the credentials were not accepted');
      const method = request.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD') {
        const csrf = crossSite(request, identified);
        if (csrf !== undefined) return refuse(response, csrf[0], 403, csrf[1]);
        if (identified.access !== 'write') return refuse(response, 'read_only', 403, `${method} needs write access; these credentials may only read`);
      }
      sessions.set(request, identified);
      return true;
    },
    warnIfExposed(host, endpoint) {
      if (credentials.enabled || isLoopbackHost(host)) return;
      logger.warn({ endpoint, setting: 'service.telemetry.metrics.auth' }, EXPOSED_WARNING);
    },
  };
}

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
