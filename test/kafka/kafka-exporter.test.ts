// The kafka exporter against a real Kafka protocol peer (kcat's librdkafka mock cluster,
// test/helpers/kafka.ts), in-process with a real SQLite store: what the consumer of the topic
// reads is what the exporter promised (one message per event, keyed by group id, schema v1, the
// template's fields), through a frozen broker and a full buffer.
// The mock cluster cannot hand kafkajs an idempotent producer id (its metadata names controller 0,
// a broker it does not have), so these producers run with producer.idempotent: false.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { BuiltExporter } from '../../src/component.js';
import { INVALID, type ConfigProblem } from '../../src/config/schema.js';
import type { ErrorEvent } from '../../src/extract/error-event.js';
import { fallbackGrouping, eventIdOf, groupIdOf, groupKeyOf } from '../../src/group/store/event-id.js';
import { kafkaExporterType, type KafkaExporterConfig } from '../../src/kafka/config.js';
import { createKafkaExporter } from '../../src/kafka/kafka-exporter.js';
import type { Storage } from '../../src/storage/storage.js';
import { errorEvent } from '../group/event-fixtures.js';
import { startMockKafka, type KafkaRecord, type MockKafka } from '../helpers/kafka.js';
import { sqliteStorage } from '../helpers/storage.js';
import { buildContext, metricValue } from '../processor/build-context.js';

const running: { stop(): Promise<void> }[] = [];
after(async () => {
  for (const peer of running.reverse()) await peer.stop();
});

function configOf(body: Record<string, unknown>): KafkaExporterConfig {
  const problems: ConfigProblem[] = [];
  const build = kafkaExporterType.decode(body, 'exporters.kafka', problems);
  assert.deepEqual(problems, []);
  assert.notEqual(build, INVALID);
  return (build as (id: string) => KafkaExporterConfig)('kafka');
}

async function exporterOn(kafka: MockKafka | string, body: Record<string, unknown>, storage?: Storage) {
  const context = { ...buildContext(), storage: storage ?? (await sqliteStorage()) };
  const config = configOf({
    brokers: [typeof kafka === 'string' ? kafka : kafka.bootstrap],
    topic: 'errors',
    producer: { idempotent: false },
    timeout: '1s',
    retry: { initial_interval: '100ms', max_interval: '400ms' },
    batch: { linger: '20ms' },
    ...body,
  });
  const exporter: BuiltExporter = createKafkaExporter(config, context);
  const statuses: string[] = [];
  exporter.onStatus!((problem) => statuses.push(problem));
  await exporter.component.start();
  running.push({ stop: () => exporter.component.shutdown() });
  const metric = (name: string, labels: Record<string, string> = {}) => metricValue(context, name, { exporter: 'kafka', ...labels });
  return { exporter, context, statuses, metric, send: (events: readonly ErrorEvent[]) => exporter.consumer.consume({ events, timings: [], skippedExceptions: 0 }) };
}

function events(count: number, from = 0, service = 'shop'): ErrorEvent[] {
  return Array.from({ length: count }, (_, i) =>
    errorEvent({ service, type: (from + i) % 2 === 0 ? 'TypeError' : 'RangeError', message: `failure ${from + i}`, timestampMs: 1_700_000_000_000 + from + i }),
  );
}

const idsOf = (records: readonly KafkaRecord[]) => records.map((record) => (JSON.parse(record.value) as { event_id: string }).event_id);

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('the kafka exporter against a real Kafka protocol peer', () => {
  it('produces every event exactly once, keyed by its group id, in schema v1 with only the template fields', async () => {
    const kafka = await startMockKafka('errors');
    running.push(kafka);
    const { send, metric } = await exporterOn(kafka, { template: { fields: ['type', 'message'] } });
    const sent = [...events(30, 0, 'shop'), ...events(20, 100, 'billing')];
    send(sent.slice(0, 10));
    send(sent.slice(10, 35));
    send(sent.slice(35));

    const records = await kafka.waitFor('50 messages', (all) => all.length >= 50);
    const expected = new Map(sent.map((event) => [eventIdOf(event), event]));
    assert.deepEqual([...idsOf(records)].sort(), [...expected.keys()].sort(), 'every event once, nothing else');
    for (const record of records) {
      const value = JSON.parse(record.value) as Record<string, unknown>;
      const event = expected.get(value.event_id as string)!;
      const fingerprint = fallbackGrouping(event).fingerprint;
      const groupId = groupIdOf(groupKeyOf(event.service, fingerprint));
      assert.equal(record.key, groupId);
      assert.deepEqual(value, {
        schema: 'faultline.error_event',
        version: 1,
        event_id: eventIdOf(event),
        group_id: groupId,
        fingerprint,
        service: event.service,
        timestamp: new Date(event.timestampMs).toISOString(),
        type: event.type,
        message: event.message,
      });
      assert.deepEqual(record.headers, {
        'faultline-schema': 'faultline.error_event',
        'faultline-schema-version': '1',
        'faultline-service': event.service,
        'faultline-event-id': eventIdOf(event),
      });
    }
    await until('the buffer to empty', async () => (await metric('faultline_kafka_buffer_events')) === 0);
    assert.equal(await metric('faultline_kafka_messages_total'), 50);
    assert.equal(await metric('faultline_kafka_broker_connected'), 1);
  });

  it('buffers through a frozen broker, reports itself degraded, and delivers every event after it thaws', async () => {
    const kafka = await startMockKafka('errors');
    running.push(kafka);
    const { send, metric, statuses } = await exporterOn(kafka, {});
    send(events(10, 0));
    await kafka.waitFor('the first 10 messages', (all) => all.length >= 10);

    kafka.freeze();
    send(events(25, 10));
    // Held longer than the producer's timeouts: several sends time out while events keep coming.
    await until('a failed send to the frozen broker', () => statuses.some((status) => status.startsWith('degraded: kafka')));
    send(events(15, 35));
    await until('the 40 events in the buffer', async () => (await metric('faultline_kafka_buffer_events')) === 40);
    await until('two more failed sends', async () => (await metric('faultline_kafka_errors_total', { reason: 'timeout' })) + (await metric('faultline_kafka_errors_total', { reason: 'unreachable' })) >= 3);
    assert.equal(await metric('faultline_kafka_broker_connected'), 0);
    assert.equal(kafka.records().length, 10, 'nothing got through while frozen');

    kafka.thaw();
    const sentIds = events(50, 0).map(eventIdOf);
    const records = await kafka.waitFor('all 50 events', (all) => new Set(idsOf(all)).size >= 50);
    assert.deepEqual([...new Set(idsOf(records))].sort(), [...sentIds].sort(), 'nothing lost');
    await until('the exporter to recover', () => statuses.at(-1) === '');
    await until('the buffer to empty', async () => (await metric('faultline_kafka_buffer_events')) === 0);
    assert.equal(await metric('faultline_kafka_broker_connected'), 1);
    // At least once: a send that timed out may have been stored by the broker when it woke.
    const before = new Set(sentIds.slice(0, 10));
    const repeatedBefore = idsOf(records).filter((id) => before.has(id)).length - 10;
    console.log(`outage: ${records.length} messages for 50 events (${records.length - 50} repeated, ${repeatedBefore} of them sent before the freeze)`);
  });

  it('drops the oldest events when the buffer is full, counts them, and delivers the rest', async () => {
    const kafka = await startMockKafka('errors');
    running.push(kafka);
    kafka.freeze();
    const { send, metric } = await exporterOn(kafka, { buffer: { max_events: 5 } });
    const sent = events(8, 0);
    const dropped = () => metric('faultline_kafka_dropped_events_total', { reason: 'buffer_full' });
    for (const [i, event] of sent.entries()) {
      send([event]);
      await until(`event ${i} in the buffer`, async () => (await metric('faultline_kafka_buffer_events')) + (await dropped()) === i + 1);
    }
    assert.equal(await metric('faultline_kafka_buffer_events'), 5);
    assert.equal(await metric('faultline_kafka_dropped_events_total', { reason: 'buffer_full' }), 3);
    assert.equal(await metric('faultline_kafka_buffer_capacity_events'), 5);

    kafka.thaw();
    const records = await kafka.waitFor('the 5 newest events', (all) => new Set(idsOf(all)).size >= 5);
    await until('the buffer to empty', async () => (await metric('faultline_kafka_buffer_events')) === 0);
    assert.deepEqual([...new Set(idsOf(records))].sort(), sent.slice(3).map(eventIdOf).sort());
  });

  it('keeps buffered events across a restart and sends them from the next start', async () => {
    const kafka = await startMockKafka('errors');
    running.push(kafka);
    const storage = await sqliteStorage();
    kafka.freeze();
    const first = await exporterOn(kafka, {}, storage);
    first.send(events(12, 0));
    await until('12 events in the buffer', async () => (await first.metric('faultline_kafka_buffer_events')) === 12);
    await first.exporter.component.shutdown();

    kafka.thaw();
    await exporterOn(kafka, {}, storage);
    const records = await kafka.waitFor('the 12 events of the previous run', (all) => new Set(idsOf(all)).size >= 12);
    assert.deepEqual([...new Set(idsOf(records))].sort(), events(12, 0).map(eventIdOf).sort());
  });
});
