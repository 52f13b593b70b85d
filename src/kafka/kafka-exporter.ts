// The `kafka` exporter (exporters.kafka): every error event of its pipelines, after scrubbing,
// filtering and grouping, becomes one message on `topic` (event-message.ts: key = group id, value =
// JSON schema faultline.error_event v1, headers with the schema, version, service and event id).
// Keys and defaults: config.ts and producer-config.ts; metrics: kafka-metrics.ts; docs/kafka.md.
//
// Delivery is at least once. consume() never waits: events wait in memory (write-behind, at most
// batch.linger) and are then written to the durable buffer in service.storage (kafka-buffer.ts),
// at most buffer.max_events of them (past it the oldest are dropped and counted). The sender
// (kafka-sender.ts) produces them oldest first and deletes them once acknowledged; while sends
// fail it retries with backoff and /health shows this exporter `degraded`. A send that timed out
// may still have been stored, so an outage can repeat messages (consumers drop a repeated
// event_id); nothing that reached the buffer is lost. A SIGKILL can lose what waits in memory
// (batch.linger). At shutdown the memory is written to the buffer and, while the broker answers,
// sent; what is left is sent by the next start.

import type { BuiltExporter, ExporterContext, ExporterFactory } from '../component.js';
import type { ErrorEvent } from '../extract/error-event.js';
import { createWriteBehind } from '../group/store/write-behind.js';
import { KAFKA_EXPORTER_DEFAULTS, kafkaExporterType, type KafkaExporterConfig } from './config.js';
import { eventMessage } from './event-message.js';
import { createKafkaBuffer, type BufferedMessage } from './kafka-buffer.js';
import { createKafkaMetrics } from './kafka-metrics.js';
import { createKafkaProducer, type KafkaProducer } from './producer.js';
import { createKafkaSender } from './kafka-sender.js';

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
  let started = false;
  const statusListeners: ((problem: string) => void)[] = [];
  const sender = createKafkaSender({
    config,
    buffer,
    producer,
    metrics,
    logger,
    onProblem: (problem) => {
      for (const listener of statusListeners) listener(problem);
    },
  });

  const writes = createWriteBehind<BufferedMessage>({
    write: async (messages) => {
      const { dropped, depth } = await buffer.add(messages);
      metrics.depth(depth);
      if (dropped > 0) {
        metrics.dropped('buffer_full', dropped);
        logger.warn({ dropped, max_events: config.bufferMaxEvents }, 'the kafka buffer is full; its oldest events were dropped');
      }
      if (started) sender.kick();
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
        // On SQLite only this process uses the file: claims left by a previous run are void.
        if (context.storage.engine === 'sqlite') await buffer.releaseAll();
        metrics.depth(await buffer.depth());
        started = true;
        sender.kick();
      },
      async shutdown() {
        const deadline = Date.now() + context.shutdownTimeoutMs;
        try {
          await writes.flush(deadline);
        } finally {
          writes.stop();
        }
        // What is still buffered (brokers unreachable, or past the deadline) is sent by the next start.
        if (started) await sender.finish(deadline);
        started = false;
        await producer.close();
      },
    },
  };
}

export const kafkaExporterFactory: ExporterFactory<KafkaExporterConfig> = {
  type: 'kafka',
  defaults: KAFKA_EXPORTER_DEFAULTS as unknown as ExporterFactory<KafkaExporterConfig>['defaults'],
  schema: kafkaExporterType,
  create: (config, context) => createKafkaExporter(config, context),
};
