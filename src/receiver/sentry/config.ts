// The `sentry` receiver's keys and defaults (receivers.sentry[/name]): Sentry SDKs as clients. Its
// factory is listed in src/components.ts; docs/config.md lists the same keys.
//
//   receivers:
//     sentry:
//       endpoint: ""                 # "": on the OTLP/HTTP listener (port 4318); host:port: a listener of its own
//       max_envelope_size: 8MiB      # a whole request after decompression; larger → 413
//       max_event_size: 1MiB         # one event or transaction item; larger → that item refused (413 when alone)
//       events_per_minute: 0         # each project's quota of error events and transactions; 0: none
//       cors: { allowed_origins: ["*"], max_age: 7200 }
//       projects:                    # empty: any project id and key is accepted (service sentry-<id>)
//         - { id: 1, keys: [<public key>], service: shop-api, environment: prod, events_per_minute: 600 }

import { list, map, object, optional, scalar, withDefault, type ComponentType, type ConfigProblem, type Type } from '../../config/schema.js';
import { endpointOrMounted } from '../mounted-config.js';
import { corsOrigin, integer, size, text } from '../../config/value-types.js';
import type { CorsConfig } from '../otlp/config.js';

export interface SentryProject {
  /** The project id of the DSN (`http://<key>@host/<id>`), digits. */
  readonly id: string;
  /** Public keys (the DSN's user part) accepted for this project. */
  readonly keys: readonly string[];
  /** The service its events belong to; '' → `sentry-<id>`. An event's `service` tag wins. */
  readonly service: string;
  /** The environment of events that name none. */
  readonly environment: string;
  /** null: the receiver's events_per_minute. */
  readonly eventsPerMinute: number | null;
}

export interface SentryReceiverConfig {
  readonly type: 'sentry';
  readonly id: string;
  /** '' to serve on the OTLP/HTTP listener of the otlp receiver; else host:port of its own. */
  readonly endpoint: string;
  readonly maxEnvelopeBytes: number;
  readonly maxEventBytes: number;
  /** Each project's quota of events and transactions per minute; 0: unlimited. */
  readonly eventsPerMinute: number;
  readonly cors: CorsConfig;
  /** Empty: open, any project and key accepted. */
  readonly projects: readonly SentryProject[];
}

const MiB = 1024 * 1024;

export const SENTRY_RECEIVER_DEFAULTS: Omit<SentryReceiverConfig, 'id' | 'type'> = {
  endpoint: '',
  maxEnvelopeBytes: 8 * MiB,
  maxEventBytes: 1 * MiB,
  eventsPerMinute: 0,
  cors: { allowedOrigins: ['*'], allowedHeaders: [], maxAgeSeconds: 7200 },
  projects: [],
};

/** A project id as the DSN's path has it: digits, written as a number or a string. */
const projectId: Type<string> = scalar('a project id (digits)', (value) => {
  const id = typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : value;
  return typeof id === 'string' && /^\d{1,20}$/.test(id) ? id : undefined;
});

const publicKey: Type<string> = scalar('a public key (letters, digits, - and _)', (value) =>
  typeof value === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined,
);

const project: Type<SentryProject> = map(
  object(
    {
      id: projectId,
      keys: list(publicKey),
      service: withDefault(text, ''),
      environment: withDefault(text, ''),
      events_per_minute: optional(integer(0)),
    },
    (d, path, problems) => {
      if (d.keys.length === 0) problems.push({ path: `${path}.keys`, message: 'expected at least one key' });
    },
  ),
  (d) => ({ id: d.id, keys: d.keys, service: d.service.trim(), environment: d.environment, eventsPerMinute: d.events_per_minute }),
);

function uniqueIds(projects: readonly SentryProject[], path: string, problems: ConfigProblem[]): void {
  const seen = new Set<string>();
  projects.forEach((p, index) => {
    if (seen.has(p.id)) problems.push({ path: `${path}[${index}].id`, message: `project ${p.id} is listed twice` });
    seen.add(p.id);
  });
}

export const sentryReceiverType: ComponentType<SentryReceiverConfig> = map(
  object({
    endpoint: withDefault(endpointOrMounted, SENTRY_RECEIVER_DEFAULTS.endpoint),
    max_envelope_size: withDefault(size, SENTRY_RECEIVER_DEFAULTS.maxEnvelopeBytes),
    max_event_size: withDefault(size, SENTRY_RECEIVER_DEFAULTS.maxEventBytes),
    events_per_minute: withDefault(integer(0), SENTRY_RECEIVER_DEFAULTS.eventsPerMinute),
    cors: object({
      allowed_origins: withDefault(list(corsOrigin), SENTRY_RECEIVER_DEFAULTS.cors.allowedOrigins),
      max_age: withDefault(integer(0), SENTRY_RECEIVER_DEFAULTS.cors.maxAgeSeconds),
    }),
    projects: list(project, uniqueIds),
  }),
  (d) =>
    (id: string): SentryReceiverConfig => ({
      type: 'sentry',
      id,
      endpoint: d.endpoint,
      maxEnvelopeBytes: d.max_envelope_size,
      maxEventBytes: d.max_event_size,
      eventsPerMinute: d.events_per_minute,
      cors: { allowedOrigins: d.cors.allowed_origins, allowedHeaders: [], maxAgeSeconds: d.cors.max_age },
      projects: d.projects,
    }),
);
