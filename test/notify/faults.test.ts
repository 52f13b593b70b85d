import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { FAST, firing, startPipeline, type TestPipeline } from './helpers/notifications.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const running: { stop(): Promise<void> }[] = [];
after(async () => {
  for (const thing of running.reverse()) await thing.stop();
});

async function setUp(
  answer?: Receiver['answer'],
  extra: Record<string, unknown> = {},
): Promise<{ receiver: Receiver; faultline: TestPipeline }> {
  const receiver = await startReceiver(answer);
  running.push({ stop: () => receiver.close() });
  const faultline = await startPipeline({ hook: { type: 'webhook', url: `${receiver.url}/secret-path-token-9f8e`, ...FAST, ...extra } });
  running.push(faultline);
  return { receiver, faultline };
}

/** Moves the injected clock, lets every lane look at its queue again, and waits until none has an attempt due or in flight. */
async function advance(faultline: TestPipeline, ms: number): Promise<void> {
  faultline.clock.advance(ms);
  faultline.pipeline.wake();
  await faultline.pipeline.idle();
}

/** Sends a notification and waits until every attempt it started has ended. */
async function send(faultline: TestPipeline, notification = firing()): Promise<void> {
  faultline.pipeline.sink.send(notification);
  await faultline.pipeline.idle();
}

const attempts = (faultline: TestPipeline, outcome: string) =>
  faultline.metric('faultline_alert_notifications_total', { channel: 'hook', outcome });

describe('delivery when the channel misbehaves', () => {
  it('delivers exactly once after the receiver was down and came back', async () => {
    const { receiver, faultline } = await setUp();
    await receiver.down();
    await send(faultline);
    assert.equal(await attempts(faultline, 'error'), 1);
    await receiver.up();
    await advance(faultline, 1000);
    assert.equal(receiver.delivered.length, 1, 'delivery after recovery');
    for (let i = 0; i < 5; i++) await advance(faultline, 60_000);
    assert.equal(receiver.delivered.length, 1);
    assert.equal(receiver.requests.length, 1);
  });

  it('retries 500 answers with backoff and delivers once they stop', async () => {
    const { receiver, faultline } = await setUp((_, index) => (index < 2 ? { status: 500 } : { status: 200 }));
    await send(faultline);
    assert.equal(await attempts(faultline, 'error'), 1);
    await advance(faultline, 74); // backoff after the first failure: 100ms with jitter, at least 50ms; here 75ms
    assert.equal(receiver.requests.length, 1, 'no retry before the backoff');
    await advance(faultline, 1);
    assert.equal(await attempts(faultline, 'error'), 2);
    await advance(faultline, 150);
    assert.equal(receiver.delivered.length, 1);
    await advance(faultline, 60_000);
    assert.equal(receiver.requests.length, 3);
    assert.equal(receiver.delivered.length, 1);
  });

  it('waits out a 429 with Retry-After: 2 on the injected clock before trying again', async () => {
    const { receiver, faultline } = await setUp((_, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 },
    );
    await send(faultline);
    assert.equal(await attempts(faultline, 'error'), 1);
    await advance(faultline, 1999);
    assert.equal(receiver.requests.length, 1, 'retried before Retry-After');
    await advance(faultline, 1);
    assert.equal(receiver.delivered.length, 1);
    assert.equal(receiver.requests.length, 2);
  });

  it('gives up on a hanging receiver at the timeout and delivers once it answers', async () => {
    const { receiver, faultline } = await setUp((_, index) => (index === 0 ? 'hang' : { status: 200 }), { timeout: '200ms' });
    await send(faultline);
    assert.equal(await attempts(faultline, 'error'), 1);
    await advance(faultline, 1000);
    assert.equal(receiver.delivered.length, 1);
    await advance(faultline, 60_000);
    assert.equal(receiver.delivered.length, 1);
    assert.equal(receiver.requests.length, 2);
  });

  it('does not retry a 4xx other than 408 and 429, and counts the drop', async () => {
    const { receiver, faultline } = await setUp(() => ({ status: 404 }));
    await send(faultline);
    assert.equal(await attempts(faultline, 'rejected'), 1);
    for (let i = 0; i < 5; i++) await advance(faultline, 60_000);
    assert.equal(receiver.requests.length, 1);
    assert.equal(await faultline.metric('faultline_notifications_dropped_total', { channel: 'hook', reason: 'rejected' }), 1);
  });

  it('retries 408 as well', async () => {
    const { receiver, faultline } = await setUp((_, index) => (index === 0 ? { status: 408 } : { status: 200 }));
    await send(faultline);
    assert.equal(await attempts(faultline, 'error'), 1);
    await advance(faultline, 1000);
    assert.equal(receiver.delivered.length, 1);
  });

  it('opens the circuit after repeated failures, tries once when half-open, and closes on success', async () => {
    let healthy = false;
    const { receiver, faultline } = await setUp(() => (healthy ? { status: 200 } : { status: 503 }));
    const circuit = () => faultline.metric('faultline_notification_circuit_state', { channel: 'hook' });
    assert.equal(await circuit(), 0);
    await send(faultline);
    assert.equal(await attempts(faultline, 'error'), 1);
    await advance(faultline, 1000);
    assert.equal(await attempts(faultline, 'error'), 2);
    await advance(faultline, 1000);
    assert.equal(await attempts(faultline, 'error'), 3);
    assert.equal(await circuit(), 2, 'open after three failures');
    await advance(faultline, 500); // past the backoff, but the circuit stays open for 1s
    assert.equal(receiver.requests.length, 3, 'no attempt while open');
    await advance(faultline, 500); // half-open: one trial, which fails and opens it again
    assert.equal(await attempts(faultline, 'error'), 4);
    assert.equal(await circuit(), 2);
    healthy = true;
    await advance(faultline, 1000);
    assert.equal(receiver.delivered.length, 1);
    assert.equal(receiver.requests.length, 4 + 1);
    assert.equal(await circuit(), 0, 'closed after the trial succeeded');
  });

  it('gives up after max_attempts and counts it', async () => {
    const { receiver, faultline } = await setUp(() => ({ status: 500 }), {
      retry: { initial_interval: '100ms', max_interval: '100ms', max_attempts: 3 },
      circuit_breaker: { failure_threshold: 100 },
    });
    await send(faultline);
    for (let i = 1; i <= 3; i++) {
      assert.equal(await attempts(faultline, 'error'), i);
      await advance(faultline, 1000);
    }
    await advance(faultline, 1000);
    assert.equal(receiver.requests.length, 3);
    assert.equal(
      await faultline.metric('faultline_notifications_dropped_total', { channel: 'hook', reason: 'retries_exhausted' }),
      1,
    );
  });

  it('drops the oldest lowest-severity notifications first when the queue is full, and counts them', async () => {
    const { receiver, faultline } = await setUp(undefined, { queue_size: 3 });
    await receiver.down();
    await send(faultline, firing({ severity: 'low' }));
    assert.equal(await attempts(faultline, 'error'), 1);
    const b = firing({ severity: 'medium' });
    const c = firing({ severity: 'low' });
    const d = firing({ severity: 'critical' });
    const e = firing({ severity: 'low' });
    for (const notification of [b, c, d, e]) faultline.pipeline.sink.send(notification);
    assert.equal(await faultline.metric('faultline_notifications_dropped_total', { channel: 'hook', reason: 'queue_full' }), 2);
    assert.equal(await faultline.metric('faultline_notification_queue_items', { channel: 'hook' }), 3);
    await faultline.pipeline.idle();
    assert.equal(await attempts(faultline, 'error'), 2, 'b was tried (and failed) as soon as it came');
    await receiver.up();
    await advance(faultline, 1000);
    assert.deepEqual(
      receiver.delivered.map((request) => request.json().id),
      [b.id, d.id, e.id],
    );
    assert.equal(await faultline.metric('faultline_notification_queue_items', { channel: 'hook' }), 0);
  });

  it('never lets a failing channel delay another channel', async () => {
    const down = await startReceiver(() => 'hang');
    const healthy = await startReceiver();
    running.push({ stop: () => down.close() }, { stop: () => healthy.close() });
    const faultline = await startPipeline({
      broken: { type: 'webhook', url: down.url, ...FAST, timeout: '5s' },
      fine: { type: 'webhook', url: healthy.url, ...FAST },
    });
    running.push(faultline);
    faultline.pipeline.sink.send(firing({ channels: ['broken', 'fine'] }));
    faultline.pipeline.sink.send(firing({ channels: ['broken', 'fine'] }));
    await faultline.pipeline.idle('fine');
    assert.equal(healthy.delivered.length, 2, 'the healthy channel got both while the other hangs');
    assert.equal(down.requests.length, 1);
  });

  it('keeps the channel URL and its token out of logs, metrics and test results', async () => {
    const { receiver, faultline } = await setUp(() => ({ status: 400 }));
    await receiver.down();
    const results = await faultline.pipeline.test('hook');
    assert.equal(results.hook.outcome, 'retryable');
    await receiver.up();
    await send(faultline);
    assert.equal(await attempts(faultline, 'rejected'), 1);
    const everything = JSON.stringify(faultline.logs) + JSON.stringify(results) + (await faultline.registry.metrics());
    assert.doesNotMatch(everything, /secret-path-token-9f8e/);
    assert.match(JSON.stringify(faultline.logs), /notification dropped/);
    assert.match(JSON.stringify(results), /127\.0\.0\.1:\d+\/\[redacted\]/);
  });

  it('reports each channel of a test send, and unknown channels as failed', async () => {
    const { faultline } = await setUp();
    assert.deepEqual(await faultline.pipeline.test(), { hook: { outcome: 'delivered' } });
    assert.deepEqual(await faultline.pipeline.test('nope'), { nope: { outcome: 'failed', reason: 'no such channel' } });
  });
});
