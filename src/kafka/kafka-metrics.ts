// The kafka exporter's metrics, labelled by exporter id (a name from otel-config.yaml). `reason` of
// errors is a SendFailure (producer.ts) or `storage`; `reason` of drops is `buffer_full` (the
// oldest buffered events made room), `storage_unavailable` (the buffer could not be written while
// events kept coming) or `rejected` (the broker refused an event for good, e.g. too large).

import type { Registry } from 'prom-client';
import { sharedCounter, sharedGauge } from '../metrics/shared-metric.js';
import type { SendFailure } from './producer.js';

export type ErrorReason = SendFailure | 'storage';
export type KafkaDropReason = 'buffer_full' | 'storage_unavailable' | 'rejected';

export interface KafkaMetrics {
  produced(messages: number, bytes: number): void;
  error(reason: ErrorReason): void;
  dropped(reason: KafkaDropReason, count: number): void;
  depth(events: number): void;
  connected(up: boolean): void;
}

export function createKafkaMetrics(registry: Registry, exporter: string, capacity: number): KafkaMetrics {
  const messages = sharedCounter(registry, {
    name: 'faultline_kafka_messages_total',
    help: 'Messages the broker acknowledged, by kafka exporter.',
    labelNames: ['exporter'] as const,
  });
  const bytes = sharedCounter(registry, {
    name: 'faultline_kafka_message_bytes_total',
    help: 'Bytes of message values the broker acknowledged, before compression.',
    labelNames: ['exporter'] as const,
  });
  const errors = sharedCounter(registry, {
    name: 'faultline_kafka_errors_total',
    help: 'Failed sends (or buffer writes), by reason.',
    labelNames: ['exporter', 'reason'] as const,
  });
  const dropped = sharedCounter(registry, {
    name: 'faultline_kafka_dropped_events_total',
    help: 'Error events given up, by reason.',
    labelNames: ['exporter', 'reason'] as const,
  });
  const depth = sharedGauge(registry, {
    name: 'faultline_kafka_buffer_events',
    help: 'Error events in the durable buffer, not yet acknowledged by the broker.',
    labelNames: ['exporter'] as const,
  });
  const capacityGauge = sharedGauge(registry, {
    name: 'faultline_kafka_buffer_capacity_events',
    help: 'buffer.max_events: the most events the buffer keeps.',
    labelNames: ['exporter'] as const,
  });
  const connected = sharedGauge(registry, {
    name: 'faultline_kafka_broker_connected',
    help: '1 while the last send or connection to the brokers succeeded, 0 while they are unreachable.',
    labelNames: ['exporter'] as const,
  });
  const labels = { exporter };
  messages.inc(labels, 0);
  bytes.inc(labels, 0);
  for (const reason of ['unreachable', 'timeout', 'auth', 'rejected', 'other', 'storage'] as const) errors.inc({ exporter, reason }, 0);
  for (const reason of ['buffer_full', 'storage_unavailable', 'rejected'] as const) dropped.inc({ exporter, reason }, 0);
  depth.set(labels, 0);
  capacityGauge.set(labels, capacity);
  connected.set(labels, 0);
  return {
    produced(count, size) {
      messages.inc(labels, count);
      bytes.inc(labels, size);
    },
    error: (reason) => errors.inc({ exporter, reason }),
    dropped: (reason, count) => dropped.inc({ exporter, reason }, count),
    depth: (events) => depth.set(labels, events),
    connected: (up) => connected.set(labels, up ? 1 : 0),
  };
}
