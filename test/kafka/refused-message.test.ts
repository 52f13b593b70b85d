// A message the broker refuses for good (too large, not authorised) must not block the buffer. The
// mock cluster of the other kafka tests accepts any message (60 MB included), so here the producer
// is a stand-in that refuses one event the way kafkajs reports MESSAGE_TOO_LARGE; the buffer and
// storage are real.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INVALID, type ConfigProblem } from '../../src/config/schema.js';
import { eventIdOf } from '../../src/group/store/event-id.js';
import { kafkaExporterType, type KafkaExporterConfig } from '../../src/kafka/config.js';
import { createKafkaExporter } from '../../src/kafka/kafka-exporter.js';
import { KafkaSendError, type KafkaProducer, type OutgoingMessage } from '../../src/kafka/producer.js';
import { errorEvent } from '../group/event-fixtures.js';
import { sqliteStorage } from '../helpers/storage.js';
import { buildContext, metricValue } from '../processor/build-context.js';

describe('a message the broker refuses for good', () => {
  it('is found by sending its batch again one at a time, dropped and counted, and the others are delivered', async () => {
    const sends: string[][] = [];
    const delivered: string[] = [];
    const events = Array.from({ length: 6 }, (_, i) => errorEvent({ message: `failure ${i}`, timestampMs: 1_700_000_000_000 + i }));
    const poisoned = eventIdOf(events[3]!);
    const producer: KafkaProducer = {
      connect: async () => {},
      async send(_topic, messages: readonly OutgoingMessage[]) {
        const ids = messages.map((message) => message.headers['faultline-event-id']!);
        sends.push(ids);
        if (ids.includes(poisoned)) throw new KafkaSendError('The request included a message larger than the max message size the server will accept', 'rejected', false);
        delivered.push(...ids);
      },
      close: async () => {},
    };
    const problems: ConfigProblem[] = [];
    const build = kafkaExporterType.decode({ brokers: ['127.0.0.1:9'], batch: { linger: '10ms' } }, 'exporters.kafka', problems);
    assert.notEqual(build, INVALID);
    const context = { ...buildContext(), storage: await sqliteStorage() };
    const exporter = createKafkaExporter((build as (id: string) => KafkaExporterConfig)('kafka'), context, { producer });
    await exporter.component.start();
    exporter.consumer.consume({ events, timings: [], skippedExceptions: 0 });

    const metric = (name: string, labels: Record<string, string> = {}) => metricValue(context, name, { exporter: 'kafka', ...labels });
    for (let attempt = 0; attempt < 300 && (await metric('faultline_kafka_dropped_events_total', { reason: 'rejected' })) < 1; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (let attempt = 0; attempt < 300 && delivered.length < 5; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    await exporter.component.shutdown();

    assert.equal(await metric('faultline_kafka_dropped_events_total', { reason: 'rejected' }), 1);
    assert.deepEqual([...delivered].sort(), events.filter((_, i) => i !== 3).map(eventIdOf).sort());
    assert.equal(sends[0]!.length, 6, 'first the whole batch');
    assert.ok(sends.slice(1).every((ids) => ids.length === 1), `then one at a time: ${JSON.stringify(sends.map((ids) => ids.length))}`);
    assert.equal(await metric('faultline_kafka_buffer_events'), 0);
  });
});
