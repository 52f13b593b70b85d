// The channels of the alerts exporter: a map from channel name (what rules list under `channels`)
// to a channel config discriminated by `type`. Every channel has the delivery keys (queue, timeout,
// retry, circuit breaker, template) with the defaults below, plus its type's own keys (each
// channel folder's config.ts). The channel types are a parameter (src/components.ts lists them),
// so this file names none. Mounted by the alerts exporter at `exporters.alerts.channels`;
// docs/config.md lists the keys per type, e.g. `exporters.alerts.channels.webhook.url`.

import {
  describe,
  INVALID,
  isMap,
  joinPath,
  list,
  object,
  withDefault,
  closest,
  defaultsOf,
  type DecodedFields,
  type Type,
} from '../config/schema.js';
import { nonEmptyText } from './channel-values.js';
import { duration, integer, oneOf } from '../config/value-types.js';

/** What a message may show; `template.fields` picks among them. */
export const TEMPLATE_FIELDS = [
  'summary',
  'description',
  'annotations',
  'labels',
  'value',
  'threshold',
  'window',
  'started',
  'ended',
  'sample',
  'stacktrace',
  'trace_id',
] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

export interface TemplateConfig {
  /** Fields shown, in any order (channels keep their own order). */
  readonly fields: readonly TemplateField[];
  /** Label names never shown (e.g. request headers); a trailing `*` matches a prefix. */
  readonly hideLabels: readonly string[];
  /** Stack trace lines kept before "… N more lines". */
  readonly maxStacktraceLines: number;
}

export interface DeliveryConfig {
  /** One attempt's deadline. */
  readonly timeoutMs: number;
  /** Notifications waiting for this channel; past it the oldest lowest-severity one is dropped. */
  readonly queueSize: number;
  readonly retry: {
    /** First backoff; doubles per attempt, with jitter. */
    readonly initialIntervalMs: number;
    /** Longest backoff (a longer Retry-After is still honoured, up to 1h). */
    readonly maxIntervalMs: number;
    /** Attempts before the notification is dropped (counted). */
    readonly maxAttempts: number;
  };
  readonly circuitBreaker: {
    /** Consecutive failed attempts that open the circuit. */
    readonly failureThreshold: number;
    /** How long the circuit stays open before one trial attempt (half-open). */
    readonly openDurationMs: number;
  };
  readonly template: TemplateConfig;
}

/** What every channel type's settings (its own keys, decoded) have: the type's name. */
export interface ChannelSettings {
  readonly type: string;
}

/** One configured channel: its type's settings, its name and its delivery keys. */
export type ChannelConfig<S extends ChannelSettings = ChannelSettings> = S & { readonly name: string; readonly delivery: DeliveryConfig };

type Fields = Record<string, Type<unknown>>;

/** The config side of a channel type (its folder's config.ts): its own keys and how they decode. */
export interface ChannelKeys<S extends ChannelSettings = ChannelSettings, F extends Fields = Fields> {
  readonly type: S['type'];
  readonly fields: F;
  settings(decoded: DecodedFields<F>): S;
}

/** Channel name → its config, in the order written. */
export type ChannelsConfig = ReadonlyMap<string, ChannelConfig>;

export const DELIVERY_DEFAULTS: DeliveryConfig = {
  timeoutMs: 10_000,
  queueSize: 1000,
  retry: { initialIntervalMs: 1000, maxIntervalMs: 300_000, maxAttempts: 30 },
  circuitBreaker: { failureThreshold: 5, openDurationMs: 60_000 },
  template: { fields: TEMPLATE_FIELDS, hideLabels: [], maxStacktraceLines: 20 },
};

const deliveryFields = {
  timeout: withDefault(duration, DELIVERY_DEFAULTS.timeoutMs),
  queue_size: withDefault(integer(1), DELIVERY_DEFAULTS.queueSize),
  retry: object(
    {
      initial_interval: withDefault(duration, DELIVERY_DEFAULTS.retry.initialIntervalMs),
      max_interval: withDefault(duration, DELIVERY_DEFAULTS.retry.maxIntervalMs),
      max_attempts: withDefault(integer(1), DELIVERY_DEFAULTS.retry.maxAttempts),
    },
    (d, path, problems) => {
      if (d.max_interval < d.initial_interval) {
        problems.push({
          path: joinPath(path, 'max_interval'),
          message: `expected at least initial_interval (${d.initial_interval}ms), got ${d.max_interval}ms`,
        });
      }
    },
  ),
  circuit_breaker: object({
    failure_threshold: withDefault(integer(1), DELIVERY_DEFAULTS.circuitBreaker.failureThreshold),
    open_duration: withDefault(duration, DELIVERY_DEFAULTS.circuitBreaker.openDurationMs),
  }),
  template: object({
    fields: withDefault(list(oneOf(TEMPLATE_FIELDS)), DELIVERY_DEFAULTS.template.fields),
    hide_labels: withDefault(list(nonEmptyText), DELIVERY_DEFAULTS.template.hideLabels),
    max_stacktrace_lines: withDefault(integer(0), DELIVERY_DEFAULTS.template.maxStacktraceLines),
  }),
};

function deliveryOf(d: DecodedFields<typeof deliveryFields>): DeliveryConfig {
  return {
    timeoutMs: d.timeout,
    queueSize: d.queue_size,
    retry: {
      initialIntervalMs: d.retry.initial_interval,
      maxIntervalMs: d.retry.max_interval,
      maxAttempts: d.retry.max_attempts,
    },
    circuitBreaker: {
      failureThreshold: d.circuit_breaker.failure_threshold,
      openDurationMs: d.circuit_breaker.open_duration,
    },
    template: {
      fields: [...new Set(d.template.fields)],
      hideLabels: d.template.hide_labels,
      maxStacktraceLines: d.template.max_stacktrace_lines,
    },
  };
}

/** One channel type: its own keys plus the delivery keys, decoded to its settings. */
function channelType(keys: ChannelKeys): Type<(name: string) => ChannelConfig> {
  const schema = object({ ...keys.fields, ...deliveryFields });
  return {
    decode(value, path, problems) {
      const decoded = schema.decode(value, path, problems);
      if (decoded === INVALID) return INVALID;
      const all = decoded as DecodedFields<Fields> & DecodedFields<typeof deliveryFields>;
      return (name: string) => ({ ...keys.settings(all), name, delivery: deliveryOf(all) });
    },
    keyPaths: schema.keyPaths,
    defaults: (path) => defaultsOf(schema as Type<unknown>, path),
  };
}

const CHANNEL_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/**
 * `channels:` — name → `{ type: <one of types>, …keys }`.
 * Key paths are listed per type (`channels.webhook.url`), as components are listed per type.
 */
export function channelsSchema(types: readonly ChannelKeys[]): Type<ChannelsConfig> {
  const byType = new Map(types.map((keys) => [keys.type, channelType(keys)]));
  const known = [...byType.keys()];
  return {
    decode(value, path, problems) {
      if (value === undefined || value === null) value = {};
      if (!isMap(value)) {
        problems.push({ path, message: `expected a map of channels by name, got ${describe(value)}` });
        return INVALID;
      }
      const channels = new Map<string, ChannelConfig>();
      let valid = true;
      for (const [name, body] of Object.entries(value)) {
        const channelPath = joinPath(path, name);
        if (!CHANNEL_NAME.test(name)) {
          problems.push({ path: channelPath, message: `invalid channel name "${name}"; expected letters, digits, _ . -` });
          valid = false;
          continue;
        }
        if (!isMap(body)) {
          problems.push({ path: channelPath, message: `expected a map with a type, got ${describe(body)}` });
          valid = false;
          continue;
        }
        const { type, ...rest } = body;
        const channelType = typeof type === 'string' ? byType.get(type) : undefined;
        if (channelType === undefined) {
          const suggestion = typeof type === 'string' ? closest(type, known) : undefined;
          const message =
            type === undefined
              ? `expected a type, one of ${known.join(', ')}`
              : `unknown channel type ${describe(type)}; ${suggestion ? `did you mean "${suggestion}"?` : `known: ${known.join(', ')}`}`;
          problems.push({ path: joinPath(channelPath, 'type'), message });
          valid = false;
          continue;
        }
        const build = channelType.decode(rest, channelPath, problems);
        if (build === INVALID) valid = false;
        else channels.set(name, build(name));
      }
      return valid ? channels : INVALID;
    },
    keyPaths: (path) => [...byType].flatMap(([type, schema]) => schema.keyPaths(joinPath(path, type))),
    defaults: (path) => [...byType].flatMap(([type, schema]) => defaultsOf(schema as Type<unknown>, joinPath(path, type))),
  };
}
