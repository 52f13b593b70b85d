// The `kafka` exporter (exporters.kafka): every error event of its pipelines, after scrubbing,
// filtering and grouping, becomes one message on `topic` (event-message.ts: key = group id, value =
// JSON schema faultline.error_event v1, headers with the schema, version, service and event id).
// Keys and defaults: config.ts and producer-config.ts; metrics: kafka-metrics.ts; docs/kafka.md.
//
// Delivery is at least once. consume() never waits: events wait in memory (write-behind, at most
// batch.linger) and are then written to the durable buffer in service.storage (kafka-buffer.ts),
// at most buffer.max_events of them (past it the oldest are dropped and counted). A sender takes
// the oldest buffered messages, batch.max_messages and batch.max_bytes at a time, produces them,
// and deletes them once the broker acknowledged them (acks all by default). A failed send keeps
// them and is retried after retry.initial_interval, doubling up to retry.max_interval; meanwhile
// /health shows the exporter `degraded` and faultline_kafka_broker_connected is 0. A send that
// timed out may still have been written, so an outage can duplicate messages (consumers can drop
// a repeated event_id); it never loses one that reached the buffer. A batch the broker refuses
// for good is sent again one message at a time, and a single message refused for good is dropped
// and counted (reason `rejected`). A SIGKILL can lose what waits in memory (batch.linger).
// At shutdown the memory is written to the buffer and, while the broker answers, sent.

import type { BuiltExporter, ExporterContext, ExporterFactory } from '../component.js';
import type { ErrorEvent } from '../extract/error-event.js';
import { createWriteBehind } from '../group/store/write-behind.js';
import { KAFKA_EXPORTER_DEFAULTS, kafkaExporterType, type KafkaExporterConfig } from './config.js';
import { eventMessage } from './event-message.js';
import { createKafkaBuffer, type BufferedMessage } from './kafka-buffer.js';
import { createKafkaMetrics } from './kafka-metrics.js';
import { createKafkaProducer, KafkaSendError, type KafkaProducer } from './producer.js';

/** Events written to the buffer per storage transaction at most. */
const WRITE_BATCH = 256;

export function createKafkaExporter(
  config: KafkaExporterConfig,
  context: ExporterContext,
  options: { producer?: KafkaProducer } = {},
): BuiltExporter {
  const logger = context.logger.child({ exporter: config.id });
  const metrics = createKafkaMetrics(context.registry, config.id, config.bufferMaxEvents);
  const fields = new Set(config.fields);
  const signals = context.groupSignalsOf(config.groups);
  const buffer = createKafkaBuffer({ storage: context.storage, exporter: config.id, maxEvents: config.bufferMaxEvents });
  // Built now (it connects on first use): a TLS file that cannot be read stops the start here.
  const producer: KafkaProducer = options.producer ?? createKafkaProducer(config.producer, { timeoutMs: config.timeoutMs, path: `exporters.${config.id}` });
  // Leases are real time (they must outlast one send, whatever the injected clock says).
  const leaseMs = 3 * config.timeoutMs;
  const statusListeners: ((problem: string) => void)[] = [];
  let problem = '';
  const setProblem = (next: string) => {
    if (next === problem) return;
    problem = next;
    for (const listener of statusListeners) listener(problem);
  };

  const writes = createWriteBehind<BufferedMessage>({
    write: async (messages) => {
      const { dropped, depth } = await buffer.add(messages);
      metrics.depth(depth);
      if (dropped > 0) {
        metrics.dropped('buffer_full', dropped);
        logger.warn({ dropped, max_events: config.bufferMaxEvents }, 'the kafka buffer is full; its oldest events were dropped');
      }
      kick();
    },
    maxPending: config.bufferMaxEvents,
    batchSize: Math.min(WRITE_BATCH, config.batch.maxMessages),
    intervalMs: config.batch.lingerMs,
    onDrop: (count) => metrics.dropped('storage_unavailable', count),
    onFailure: (error) => {
      metrics.error('storage');
      logger.warn({ err: error }, 'error events could not be written to the kafka buffer; retrying');
    },
  });

  let stopped = true;
  let sending: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let backoffMs = 0;
  /** After a batch was refused for good: send this many messages one at a time, to find the one. */
  let alone = 0;

  /** Set when a kick came while sending: rows written meanwhile may have missed the last claim. */
  let kickedWhileSending = false;

  function kick(): void {
    if (stopped || retryTimer !== undefined) return;
    if (sending !== undefined) {
      kickedWhileSending = true;
      return;
    }
    kickedWhileSending = false;
    sending = pump().finally(() => {
      sending = undefined;
      if (kickedWhileSending) kick();
    });
  }

  function retryLater(): void {
    backoffMs = backoffMs === 0 ? config.retry.initialIntervalMs : Math.min(backoffMs * 2, config.retry.maxIntervalMs);
    if (stopped) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      kick();
    }, backoffMs);
    retryTimer.unref();
  }

  /**
   * Sends until the buffer is empty or a send fails and must wait; never rejects. A refusal for good
   * goes on at once: each round drops a message or narrows the batch to one, so the loop ends.
   */
  async function pump(): Promise<void> {
    while (await sendAll()) {
      // a batch was refused for good: send again, narrowed
    }
  }

  /** True when sending should go on at once (a refusal for good), false when done or waiting to retry. */
  async function sendAll(): Promise<boolean> {
    let claimed: BufferedMessage[] = [];
    try {
      await producer.connect();
      metrics.connected(true);
      for (;;) {
        claimed = await buffer.claim(alone > 0 ? 1 : config.batch.maxMessages, Date.now(), leaseMs);
        if (claimed.length === 0) break;
        const batch = withinBytes(claimed, config.batch.maxBytes);
        await buffer.release(claimed.slice(batch.length).map((message) => message.eventId));
        claimed = batch;
        await producer.send(config.topic, batch);
        metrics.produced(batch.length, batch.reduce((sum, message) => sum + Buffer.byteLength(message.value), 0));
        metrics.depth(await buffer.remove(batch.map((message) => message.eventId)));
        claimed = [];
        if (alone > 0) alone -= 1;
        backoffMs = 0;
        setProblem('');
      }
      backoffMs = 0;
      setProblem('');
      return false;
    } catch (error) {
      return failed(error, claimed);
    }
  }

  async function failed(error: unknown, claimed: readonly BufferedMessage[]): Promise<boolean> {
    const ids = claimed.map((message) => message.eventId);
    if (!(error instanceof KafkaSendError)) {
      metrics.error('storage');
      logger.warn({ err: error }, 'the kafka buffer could not be read or updated; retrying');
      await buffer.release(ids).catch(() => {});
      retryLater();
      return false;
    }
    metrics.error(error.reason);
    if (!error.retryable && claimed.length > 0) {
      if (claimed.length === 1) {
        metrics.dropped('rejected', 1);
        logger.warn({ reason: error.message, event_id: ids[0] }, 'the broker refused an error event for good; dropped');
        metrics.depth(await buffer.remove(ids).catch(() => 0));
      } else {
        alone = claimed.length;
        await buffer.release(ids).catch(() => {});
      }
      return !stopped;
    }
    metrics.connected(false);
    await buffer.release(ids).catch(() => {});
    const depth = await buffer.depth().catch(() => -1);
    if (depth >= 0) metrics.depth(depth);
    if (problem === '') logger.warn({ reason: error.reason, err: error.message, buffered: depth }, 'the kafka brokers cannot be reached; error events are buffered');
    setProblem(`degraded: kafka ${error.reason}: ${error.message}; ${depth} events buffered`);
    retryLater();
    return false;
  }

  return {
    consumer: {
      consume(batch) {
        if (batch.events.length === 0) return;
        writes.add(batch.events.map((event: ErrorEvent) => eventMessage(event, fields, signals.groupIdOf)));
      },
    },
    onStatus: (listener) => statusListeners.push(listener),
    component: {
      async start() {
        stopped = false;
        // On SQLite only this process uses the file: claims left by a previous run are void.
        if (context.storage.engine === 'sqlite') await buffer.releaseAll();
        metrics.depth(await buffer.depth());
        kick();
      },
      async shutdown() {
        if (stopped && sending === undefined && writes.pending === 0) {
          await producer.close();
          return;
        }
        const deadline = Date.now() + context.shutdownTimeoutMs;
        clearTimeout(retryTimer);
        retryTimer = undefined;
        try {
          await writes.flush(deadline);
        } finally {
          writes.stop();
        }
        await sending;
        // One last send while the brokers answer; what is left stays buffered for the next start.
        if (problem === '') {
          const last = pump();
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([last, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
          clearTimeout(timer);
        }
        stopped = true;
        clearTimeout(retryTimer);
        retryTimer = undefined;
        await producer.close();
      },
    },
  };
}

/** The longest prefix within maxBytes of values (at least one message). */
function withinBytes(messages: readonly BufferedMessage[], maxBytes: number): BufferedMessage[] {
  let total = 0;
  let count = 0;
  for (const message of messages) {
    total += Buffer.byteLength(message.value);
    if (count > 0 && total > maxBytes) break;
    count += 1;
  }
  return messages.slice(0, count);
}

export const kafkaExporterFactory: ExporterFactory<KafkaExporterConfig> = {
  type: 'kafka',
  defaults: KAFKA_EXPORTER_DEFAULTS as unknown as ExporterFactory<KafkaExporterConfig>['defaults'],
  schema: kafkaExporterType,
  create: (config, context) => createKafkaExporter(config, context),
};
