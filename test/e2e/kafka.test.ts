// End to end with the official OpenTelemetry JS SDK as the client and a real Kafka protocol peer
// (kcat's librdkafka mock cluster, test/helpers/kafka.ts) as the broker: a real Faultline with the
// groups and kafka exporters. What the topic holds is checked against what the group store kept
// (GET /api/v1/events/:id), and /health is read over HTTP while the broker hangs.
// The mock cluster cannot hand kafkajs an idempotent producer id, hence producer.idempotent: false.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { startMockKafka, type KafkaRecord } from '../helpers/kafka.js';

const stops: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const stop of stops.reverse()) await stop();
});

/** A token the scrub processor's bearer detector removes: it must never reach the topic. */
const BEARER = 'tok_7f3a9c2e5b1d4f8a6c0e2b4d6f8a1c3e';

function configFor(bootstrap: string, kafka: string): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  identity: { settle_time: 100ms }
exporters:
  groups: { flush_interval: 100ms, samples_per_group: 100 }
  kafka:
    brokers: [${bootstrap}]
    topic: faultline.errors
    producer: { idempotent: false }
    timeout: 1s
    retry: { initial_interval: 100ms, max_interval: 400ms }
    batch: { linger: 50ms }
${kafka}
extensions:
  health_check: {}
service:
  extensions: [health_check]
  data_dir: ${mkdtempSync(path.join(tmpdir(), 'faultline-kafka-e2e-'))}
  pipelines:
    traces: { receivers: [otlp], processors: [identity], exporters: [groups, kafka] }
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`;
}

/** Sends `count` failing requests of `service` through the SDK, each its own trace; three kinds of error. */
async function sendErrors(running: RunningFaultline, service: string, count: number, from = 0): Promise<void> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment.name': 'e2e' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${running.httpUrl}/v1/traces` }) })],
  });
  const tracer = provider.getTracer('kafka-e2e');
  for (let i = from; i < from + count; i++) {
    const span = tracer.startSpan(`GET /orders/${i}`, { kind: SpanKind.SERVER, attributes: { 'http.route': '/orders/:id' } });
    const errors = [
      new TypeError(`cannot read properties of undefined (order ${i})`),
      new RangeError(`quantity ${i} out of range`),
      new Error(`upstream refused Authorization: Bearer ${BEARER} for order ${i}`),
    ];
    span.recordException(errors[i % 3]!);
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
  await provider.forceFlush();
  await provider.shutdown();
}

const valueOf = (record: KafkaRecord) => JSON.parse(record.value) as Record<string, unknown>;
const idsOf = (records: readonly KafkaRecord[]) => records.map((record) => valueOf(record).event_id as string);

async function health(running: RunningFaultline): Promise<{ code: number; body: { status: string; components: Record<string, { state: string; detail?: string }> } }> {
  const response = await fetch(`${running.adminUrl}/health`);
  return { code: response.status, body: (await response.json()) as never };
}

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('error events of a real OpenTelemetry SDK run, streamed to Kafka', () => {
  it('delivers every event exactly once, keyed by the group id the store gave it, with the template fields and no secret', async () => {
    const kafka = await startMockKafka('faultline.errors');
    stops.push(() => kafka.stop());
    const running = await startFaultline(configFor(kafka.bootstrap, '    template: { fields: [type, message, trace] }'));
    stops.push(() => running.stop());

    await sendErrors(running, 'checkout', 30);
    const records = await kafka.waitFor('30 error events', (all) => all.length >= 30);
    // Let a straggler show: a repeat would arrive with the next batch; the buffer is empty once all were acknowledged.
    await until('the kafka buffer to empty', async () => /faultline_kafka_buffer_events\{exporter="kafka"\} 0/.test(await running.scrape()));
    const ids = idsOf(kafka.records());
    assert.equal(ids.length, 30, 'one message per event');
    assert.equal(new Set(ids).size, 30, 'no event twice');

    const groups = new Set<string>();
    for (const record of records) {
      const value = valueOf(record);
      assert.deepEqual(Object.keys(value).sort(), ['event_id', 'fingerprint', 'group_id', 'message', 'schema', 'service', 'timestamp', 'trace_id', 'type', 'version']);
      assert.equal(value.schema, 'faultline.error_event');
      assert.equal(value.version, 1);
      assert.equal(record.headers['faultline-schema-version'], '1');
      assert.equal(record.headers['faultline-service'], 'checkout');
      // The same event, as the group store kept it: same id, same group, same trace.
      await until(`event ${value.event_id as string} in the store`, async () => (await fetch(`${running.adminUrl}/api/v1/events/${value.event_id as string}`)).status === 200);
      const stored = (await (await fetch(`${running.adminUrl}/api/v1/events/${value.event_id as string}`)).json()) as Record<string, unknown>;
      assert.equal(record.key, stored.group_id);
      assert.equal(value.group_id, stored.group_id);
      assert.equal(value.trace_id, stored.trace_id);
      groups.add(record.key);
    }
    assert.equal(groups.size, 3, 'three kinds of error, three groups');
    const everything = kafka.records().map((record) => record.value).join('\n');
    assert.ok(!everything.includes(BEARER), 'the bearer token was scrubbed before Kafka');
    assert.match(everything, /Authorization: \[redacted\]/);
  });

  it('shows the exporter degraded in /health while the broker hangs, and delivers everything after it wakes', async () => {
    const kafka = await startMockKafka('faultline.errors');
    stops.push(() => kafka.stop());
    const running = await startFaultline(configFor(kafka.bootstrap, ''));
    stops.push(() => running.stop());
    await sendErrors(running, 'billing', 6);
    await kafka.waitFor('the first 6 events', (all) => all.length >= 6);
    assert.equal((await health(running)).body.components['exporter.kafka']?.state, 'ok');

    kafka.freeze();
    await sendErrors(running, 'billing', 12, 6);
    await until('/health to show the exporter degraded', async () => (await health(running)).body.components['exporter.kafka']?.state === 'degraded');
    const during = await health(running);
    assert.equal(during.body.status, 'degraded');
    assert.equal(during.code, 200, 'still ready: events are accepted and kept');
    assert.match(during.body.components['exporter.kafka']!.detail!, /kafka (timeout|unreachable)/);
    await sendErrors(running, 'billing', 6, 18);
    await until('all 18 events of the outage buffered', async () => /faultline_kafka_buffer_events\{exporter="kafka"\} 18/.test(await running.scrape()));
    assert.equal(kafka.records().length, 6);

    kafka.thaw();
    const records = await kafka.waitFor('all 24 events', (all) => new Set(idsOf(all)).size >= 24);
    await until('/health ok again', async () => (await health(running)).body.components['exporter.kafka']?.state === 'ok');
    assert.equal(new Set(idsOf(records)).size, 24, 'nothing lost');
    console.log(`e2e outage: ${kafka.records().length} messages for 24 events`);
  });

  it('starts degraded, not failed, when no broker listens at all: /health 200 degraded, /health/ready 200, events buffered', async () => {
    // Port 1 of loopback: nothing listens there, so every connection is refused.
    const running = await startFaultline(configFor('127.0.0.1:1', ''));
    stops.push(() => running.stop());
    await until('/health to show the exporter degraded', async () => (await health(running)).body.components['exporter.kafka']?.state === 'degraded');
    const shown = await health(running);
    assert.equal(shown.code, 200);
    assert.equal(shown.body.status, 'degraded');
    assert.match(shown.body.components['exporter.kafka']!.detail!, /^degraded: kafka unreachable/);
    assert.equal((await fetch(`${running.adminUrl}/health/ready`)).status, 200);
    await sendErrors(running, 'nowhere', 4);
    await until('the 4 events buffered', async () => /faultline_kafka_buffer_events\{exporter="kafka"\} 4/.test(await running.scrape()));
    const metrics = await running.scrape();
    assert.match(metrics, /faultline_kafka_broker_connected\{exporter="kafka"\} 0/);
    assert.doesNotMatch(metrics, /faultline_kafka_errors_total\{exporter="kafka",reason="unreachable"\} 0\n/);
  });

  it('never shows the SASL username or password, though the broker refuses to authenticate', async () => {
    const kafka = await startMockKafka('faultline.errors');
    stops.push(() => kafka.stop());
    const running = await startFaultline(configFor(kafka.bootstrap, '    sasl: { mechanism: plain, username: svc-faultline-user, password: pw-9d8c7b6a5f4e3d2c }'));
    stops.push(() => running.stop());
    await sendErrors(running, 'auth', 2);
    await until('/health to show the exporter degraded', async () => (await health(running)).body.components['exporter.kafka']?.state === 'degraded');
    const shown = [JSON.stringify((await health(running)).body), await running.scrape(), JSON.stringify(running.logs)].join('\n');
    assert.ok(!shown.includes('pw-9d8c7b6a5f4e3d2c'));
    assert.ok(!shown.includes('svc-faultline-user'));
    assert.equal(kafka.records().length, 0);
  });
});

describe('alert notifications through the kafka channel', () => {
  it('sends each new error group once, keyed by the alert group key, as the webhook JSON', async () => {
    const kafka = await startMockKafka('faultline.alerts');
    stops.push(() => kafka.stop());
    const running = await startFaultline(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  identity: { settle_time: 100ms }
exporters:
  groups: { flush_interval: 100ms }
  alerts:
    evaluation_interval: 1s
    channels:
      stream:
        type: kafka
        brokers: [${kafka.bootstrap}]
        topic: faultline.alerts
        producer: { idempotent: false }
        template: { fields: [summary, labels, sample] }
    rules:
      - { name: new-errors, type: new_group, channels: [stream], annotations: { summary: "new {{ title }}" } }
service:
  data_dir: ${mkdtempSync(path.join(tmpdir(), 'faultline-kafka-alerts-'))}
  pipelines:
    traces: { receivers: [otlp], processors: [identity], exporters: [groups, alerts] }
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`);
    stops.push(() => running.stop());

    await sendErrors(running, 'orders', 9);
    const records = await kafka.waitFor('three notifications, one per new group', (all) => all.length >= 3);
    // The same three errors again: the groups exist, so no incident is new. Wait until the store has
    // all 18 events and nothing waits for the channel, then count.
    await sendErrors(running, 'orders', 9, 9);
    const stored = async () => {
      const listed = (await (await fetch(`${running.adminUrl}/api/v1/groups?service=orders`)).json()) as { groups: { count: number }[] };
      return listed.groups.reduce((sum, group) => sum + group.count, 0);
    };
    await until('the store to hold all 18 events', async () => (await stored()) === 18);
    await until('the channel queue to be empty', async () => /faultline_notification_queue_items\{channel="stream"\} 0/.test(await running.scrape()));
    assert.equal(kafka.records().length, 3, 'once per incident');
    assert.match(await running.scrape(), /faultline_alert_notifications_total\{rule="new-errors",channel="stream",outcome="delivered"\} 3/);

    const bodies = records.map((record) => ({ record, body: JSON.parse(record.value) as Record<string, unknown> }));
    assert.equal(new Set(bodies.map(({ body }) => body.id)).size, 3);
    for (const { record, body } of bodies) {
      assert.equal(record.key, body.group_key);
      assert.equal(body.version, 1);
      assert.equal(body.rule, 'new-errors');
      assert.equal(body.state, 'firing');
      assert.equal(record.headers['faultline-schema'], 'faultline.alert_notification');
      assert.equal(record.headers['faultline-notification-id'], body.id);
      assert.match(String((body.annotations as Record<string, string>).summary), /^new /);
      assert.equal(body.value, undefined, 'value is not among the template fields');
      const group = await fetch(`${running.adminUrl}/api/v1/groups/${body.group_id as string}`);
      assert.equal(group.status, 200, 'the notification names a stored group');
    }
    assert.ok(!kafka.records().some((record) => record.value.includes(BEARER)));
  });

  it('retries a notification through a hung broker and delivers it once the broker wakes', async () => {
    const kafka = await startMockKafka('faultline.alerts');
    stops.push(() => kafka.stop());
    const running = await startFaultline(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  identity: { settle_time: 100ms }
exporters:
  groups: { flush_interval: 100ms }
  alerts:
    evaluation_interval: 1s
    channels:
      stream:
        type: kafka
        brokers: [${kafka.bootstrap}]
        producer: { idempotent: false }
        timeout: 1s
        retry: { initial_interval: 200ms, max_interval: 400ms, max_attempts: 100 }
        circuit_breaker: { failure_threshold: 100 }
    rules:
      - { name: new-errors, type: new_group, channels: [stream] }
service:
  data_dir: ${mkdtempSync(path.join(tmpdir(), 'faultline-kafka-alerts-'))}
  pipelines:
    traces: { receivers: [otlp], processors: [identity], exporters: [groups, alerts] }
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`);
    stops.push(() => running.stop());
    kafka.freeze();
    await sendErrors(running, 'payments', 1);
    await until('two failed attempts', async () => {
      const match = /faultline_alert_notifications_total\{rule="new-errors",channel="stream",outcome="error"\} (\d+)/.exec(await running.scrape());
      return match !== null && Number(match[1]) >= 2;
    });
    assert.equal(kafka.records().length, 0);
    kafka.thaw();
    const records = await kafka.waitFor('the notification', (all) => all.length >= 1);
    await until('the channel queue to be empty', async () => /faultline_notification_queue_items\{channel="stream"\} 0/.test(await running.scrape()));
    const ids = new Set(kafka.records().map((record) => (JSON.parse(record.value) as { id: string }).id));
    assert.equal(ids.size, 1, 'one notification, however many attempts the broker stored when it woke');
    assert.equal((JSON.parse(records[0]!.value) as { rule: string }).rule, 'new-errors');
    console.log(`channel outage: ${kafka.records().length} messages for 1 notification`);
  });
});
