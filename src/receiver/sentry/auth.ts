// Who a Sentry request is from: the project id of its path and the public key of its DSN, found in
// the `X-Sentry-Auth: Sentry sentry_key=…, sentry_version=7` header (sentry-python), the query
// string `?sentry_key=…` (the JavaScript SDKs) or the envelope header's `dsn`
// (`http://<key>@host/<project>`). With no projects configured every project and key is accepted
// (service `sentry-<id>`); once projects are configured, an unknown project is 403 and a missing or
// wrong key 401. Keys are compared as digests in constant time and never logged or echoed.

import { createHash, timingSafeEqual } from 'node:crypto';
import { FaultlineError } from '../../errors.js';
import type { SentryProject } from './config.js';
import type { ProjectIdentity } from './sentry-values.js';

export interface ResolvedProject extends ProjectIdentity {
  /** null: unlimited. */
  readonly eventsPerMinute: number | null;
  /** Whether it is a configured project (its id is a metric label) or any project of an open receiver. */
  readonly configured: boolean;
}

export interface ProjectResolver {
  /** Whether a key must be known before the body is read: only when projects are configured. */
  readonly locked: boolean;
  /** The project, or throws FL_FORBIDDEN / FL_UNAUTHORIZED. `key` is '' when the request carried none. */
  resolve(projectId: string, key: string): ResolvedProject;
}

export function createProjectResolver(projects: readonly SentryProject[], eventsPerMinute: number): ProjectResolver {
  const byId = new Map(projects.map((project) => [project.id, { project, digests: project.keys.map(digest) }]));
  const receiverQuota = eventsPerMinute === 0 ? null : eventsPerMinute;
  return {
    locked: projects.length > 0,
    resolve(projectId, key) {
      if (byId.size === 0) {
        return { projectId, service: `sentry-${projectId}`, environment: '', eventsPerMinute: receiverQuota, configured: false };
      }
      const known = byId.get(projectId);
      if (known === undefined) {
        throw new FaultlineError(
          'FL_FORBIDDEN',
          `Sentry project ${projectId} is not configured here (receivers.sentry.projects lists ${[...byId.keys()].join(', ')}); check the DSN's project id`,
        );
      }
      if (key === '') {
        throw new FaultlineError(
          'FL_UNAUTHORIZED',
          'no Sentry key: send X-Sentry-Auth: Sentry sentry_key=<key>, or ?sentry_key=<key>, with the public key of the DSN',
        );
      }
      const given = digest(key);
      let matched = false;
      for (const expected of known.digests) matched = timingSafeEqual(given, expected) || matched;
      if (!matched) throw new FaultlineError('FL_UNAUTHORIZED', `the Sentry key is not a key of project ${projectId}; check the DSN's public key`);
      const { project } = known;
      const quota = project.eventsPerMinute ?? receiverQuota;
      return {
        projectId,
        service: project.service || `sentry-${projectId}`,
        environment: project.environment,
        eventsPerMinute: quota === 0 ? null : quota,
        configured: true,
      };
    },
  };
}

/** The key a request carries in its X-Sentry-Auth header (or Authorization: Sentry …) or query string; '' when none. */
export function keyOfRequest(authHeader: string | undefined, query: URLSearchParams): string {
  if (authHeader !== undefined) {
    const match = /(?:^|[\s,])sentry_key\s*=\s*([^,\s]+)/.exec(authHeader);
    if (match !== null) return match[1]!;
  }
  return query.get('sentry_key') ?? '';
}

/** The public key of an envelope header's `dsn`; '' when it has none or it is not a URL. */
export function keyOfDsn(dsn: unknown): string {
  if (typeof dsn !== 'string' || dsn === '') return '';
  try {
    return decodeURIComponent(new URL(dsn).username);
  } catch {
    return '';
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
