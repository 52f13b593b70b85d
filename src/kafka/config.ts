// The `kafka` exporter's keys and defaults (exporters.kafka): the producer keys it shares with the
// kafka channel (producer-config.ts), then topic, groups, timeout, batch, retry, buffer and
// template. Its factory is listed in src/components.ts; docs/config.md lists the same keys.

import { componentId } from '../config/value-types.js';
import { joinPath, list, map, object, withDefault } from '../config/schema.js';
import { duration, integer, oneOf, size } from '../config/value-types.js';
import { nonEmptyText } from '../notify/channel-values.js';
import { EVENT_FIELDS, type EventField } from './event-message.js';
import { PRODUCER_FIELDS, producerSettings, type ProducerSettings } from './producer-config.js';

export interface KafkaExporterConfig {
  readonly type: 'kafka';
  readonly id: string;
  readonly producer: ProducerSettings;
  readonly topic: string;
  /** The groups exporter whose group ids (after merges) key the messages. */
  readonly groups: string;
  /** One send's deadline (connection, request, acks). */
  readonly timeoutMs: number;
  readonly batch: {
    /** Messages per send at most. */
    readonly maxMessages: number;
    /** Bytes of message values per send at most (one larger message goes alone). */
    readonly maxBytes: number;
    /** The longest an accepted event waits to be buffered and sent with others. */
    readonly lingerMs: number;
  };
  readonly retry: { readonly initialIntervalMs: number; readonly maxIntervalMs: number };
  /** Events kept in the durable buffer; past it the oldest are dropped (and counted). */
  readonly bufferMaxEvents: number;
  readonly fields: readonly EventField[];
}

export const KAFKA_EXPORTER_DEFAULTS = {
  topic: 'faultline.errors',
  groups: 'groups',
  timeoutMs: 10_000,
  batch: { maxMessages: 500, maxBytes: 1024 * 1024, lingerMs: 200 },
  retry: { initialIntervalMs: 1_000, maxIntervalMs: 30_000 },
  bufferMaxEvents: 100_000,
  fields: EVENT_FIELDS,
} as const;

const D = KAFKA_EXPORTER_DEFAULTS;

export const kafkaExporterType = map(
  object({
    ...PRODUCER_FIELDS,
    topic: withDefault(nonEmptyText, D.topic),
    groups: withDefault(componentId, D.groups),
    timeout: withDefault(duration, D.timeoutMs),
    batch: object({
      max_messages: withDefault(integer(1, 10_000), D.batch.maxMessages),
      max_bytes: withDefault(size, D.batch.maxBytes),
      linger: withDefault(duration, D.batch.lingerMs),
    }),
    retry: object(
      {
        initial_interval: withDefault(duration, D.retry.initialIntervalMs),
        max_interval: withDefault(duration, D.retry.maxIntervalMs),
      },
      (d, path, problems) => {
        if (d.max_interval < d.initial_interval) {
          problems.push({ path: joinPath(path, 'max_interval'), message: `expected at least initial_interval (${d.initial_interval}ms), got ${d.max_interval}ms` });
        }
      },
    ),
    buffer: object({ max_events: withDefault(integer(1), D.bufferMaxEvents) }),
    template: object({ fields: withDefault(list(oneOf(EVENT_FIELDS)), D.fields) }),
  }, (d, path, problems) => {
    if (d.timeout < 100) problems.push({ path: joinPath(path, 'timeout'), message: `expected at least 100ms, got ${d.timeout}ms` });
  }),
  (d) =>
    (id: string): KafkaExporterConfig => ({
      type: 'kafka',
      id,
      producer: producerSettings(d),
      topic: d.topic,
      groups: d.groups,
      timeoutMs: d.timeout,
      batch: { maxMessages: d.batch.max_messages, maxBytes: d.batch.max_bytes, lingerMs: Math.max(1, d.batch.linger) },
      retry: { initialIntervalMs: d.retry.initial_interval, maxIntervalMs: d.retry.max_interval },
      bufferMaxEvents: d.buffer.max_events,
      fields: [...new Set(d.template.fields)],
    }),
);
