import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { FAST, eventually, firing, settle, startPipeline, type TestPipeline } from './helpers/notifications.js';
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

/** Moves the injected clock and lets every lane look at its queue again. */
function advance(faultline: TestPipeline, ms: number): void {
  faultline.clock.advance(ms);
  faultline.pipeline.wake();
}

const attempts = (faultline: TestPipeline, outcome: string) =>
  faultline.metric('faultline_alert_notifications_total', { channel: 'hook', outcome });

async function attemptsReach(faultline: TestPipeline, outcome: string, count: number): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if ((await attempts(faultline, outcome)) >= count) return;
    await settle(20);
  }
  throw new Error(`${outcome} attempts never reached ${count}`);
}

describe('delivery when the channel misbehaves', () => {
  it('delivers exactly once after the receiver was down and came back', async () => {
    const { receiver, faultline } = await setUp();
    await receiver.down();
    faultline.pipeline.sink.send(firing());
    await attemptsReach(faultline, 'error', 1);
    await receiver.up();
    advance(faultline, 1000);
    await eventually(() => receiver.delivered.length === 1, 'delivery after recovery');
    for (let i = 0; i < 5; i++) advance(faultline, 60_000);
    await settle();
    assert.equal(receiver.delivered.length, 1);
    assert.equal(receiver.requests.length, 1);
  });

  it('retries 500 answers with backoff and delivers once they stop', async () => {
    const { receiver, faultline } = await setUp((_, index) => (index < 2 ? { status: 500 } : { status: 200 }));
    faultline.pipeline.sink.send(firing());
    await attemptsReach(faultline, 'error', 1);
    advance(faultline, 74); // backoff after the first failure: 100ms with jitter, at least 50ms; here 75ms
    await settle(100);
    assert.equal(receiver.requests.length, 1, 'no retry before the backoff');
    advance(faultline, 1);
    await attemptsReach(faultline, 'error', 2);
    advance(faultline, 150);
    await eventually(() => receiver.delivered.length === 1);
    advance(faultline, 60_000);
    await settle();
    assert.equal(receiver.requests.length, 3);
    assert.equal(receiver.delivered.length, 1);
  });

  it('waits out a 429 with Retry-After: 2 on the injected clock before trying again', async () => {
    const { receiver, faultline } = await setUp((_, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 },
    );
    faultline.pipeline.sink.send(firing());
    await attemptsReach(faultline, 'error', 1);
    advance(faultline, 1999);
    await settle();
    assert.equal(receiver.requests.length, 1, 'retried before Retry-After');
    advance(faultline, 1);
    await eventually(() => receiver.delivered.length === 1);
    assert.equal(receiver.requests.length, 2);
  });

  it('gives up on a hanging receiver at the timeout and delivers once it answers', async () => {
    const { receiver, faultline } = await setUp((_, index) => (index === 0 ? 'hang' : { status: 200 }), { timeout: '200ms' });
    faultline.pipeline.sink.send(firing());
    await attemptsReach(faultline, 'error', 1);
    advance(faultline, 1000);
    await eventually(() => receiver.delivered.length === 1);
    advance(faultline, 60_000);
    await settle();
    assert.equal(receiver.delivered.length, 1);
    assert.equal(receiver.requests.length, 2);
  });

  it('does not retry a 4xx other than 408 and 429, and counts the drop', async () => {
    const { receiver, faultline } = await setUp(() => ({ status: 404 }));
    faultline.pipeline.sink.send(firing());
    await attemptsReach(faultline, 'rejected', 1);
    for (let i = 0; i < 5; i++) advance(faultline, 60_000);
    await settle();
    assert.equal(receiver.requests.length, 1);
    assert.equal(await faultline.metric('faultline_notifications_dropped_total', { channel: 'hook', reason: 'rejected' }), 1);
  });

  it('retries 408 as well', async () => {
    const { receiver, faultline } = await setUp((_, index) => (index === 0 ? { status: 408 } : { status: 200 }));
    faultline.pipeline.sink.send(firing());
    await attemptsReach(faultline, 'error', 1);
    advance(faultline, 1000);
    await eventually(() => receiver.delivered.length === 1);
  });

  it('opens the circuit after repeated failures, tries once when half-open, and closes on success', async () => {
    let healthy = false;
    const { receiver, faultline } = await setUp(() => (healthy ? { status: 200 } : { status: 503 }));
    const circuit = () => faultline.metric('faultline_notification_circuit_state', { channel: 'hook' });
    assert.equal(await circuit(), 0);
    faultline.pipeline.sink.send(firing());
    await attemptsReach(faultline, 'error', 1);
    advance(faultline, 1000);
    await attemptsReach(faultline, 'error', 2);
    advance(faultline, 1000);
    await attemptsReach(faultline, 'error', 3);
    assert.equal(await circuit(), 2, 'open after three failures');
    advance(faultline, 500); // past the backoff, but the circuit stays open for 1s
    await settle();
    assert.equal(receiver.requests.length, 3, 'no attempt while open');
    advance(faultline, 500); // half-open: one trial, which fails and opens it again
    await attemptsReach(faultline, 'error', 4);
    assert.equal(await circuit(), 2);
    healthy = true;
    advance(faultline, 1000);
    await eventually(() => receiver.delivered.length === 1);
    await eventually(() => receiver.requests.length === 4 + 1);
    assert.equal(await circuit(), 0, 'closed after the trial succeeded');
  });

  it('gives up after max_attempts and counts it', async () => {
    const { receiver, faultline } = await setUp(() => ({ status: 500 }), {
      retry: { initial_interval: '100ms', max_interval: '100ms', max_attempts: 3 },
      circuit_breaker: { failure_threshold: 100 },
    });
    faultline.pipeline.sink.send(firing());
    for (let i = 1; i <= 3; i++) {
      await attemptsReach(faultline, 'error', i);
      advance(faultline, 1000);
    }
    advance(faultline, 1000);
    await settle();
    assert.equal(receiver.requests.length, 3);
    assert.equal(
      await faultline.metric('faultline_notifications_dropped_total', { channel: 'hook', reason: 'retries_exhausted' }),
      1,
    );
  });

  it('drops the oldest lowest-severity notifications first when the queue is full, and counts them', async () => {
    const { receiver, faultline } = await setUp(undefined, { queue_size: 3 });
    await receiver.down();
    const a = firing({ severity: 'low' });
    faultline.pipeline.sink.send(a);
    await attemptsReach(faultline, 'error', 1);
    const b = firing({ severity: 'medium' });
    const c = firing({ severity: 'low' });
    const d = firing({ severity: 'critical' });
    const e = firing({ severity: 'low' });
    for (const notification of [b, c, d, e]) faultline.pipeline.sink.send(notification);
    assert.equal(await faultline.metric('faultline_notifications_dropped_total', { channel: 'hook', reason: 'queue_full' }), 2);
    assert.equal(await faultline.metric('faultline_notification_queue_items', { channel: 'hook' }), 3);
    await receiver.up();
    await attemptsReach(faultline, 'error', 2); // b was tried (and failed) as soon as it came
    advance(faultline, 1000);
    await eventually(() => receiver.delivered.length === 3);
    assert.deepEqual(
      receiver.delivered.map((request) => request.json().id),
      [b.id, d.id, e.id],
    );
    // The receiver has the request before the lane has the response and updates the gauge.
    await eventually(async () => (await faultline.metric('faultline_notification_queue_items', { channel: 'hook' })) === 0, 'an empty queue');
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
    await eventually(() => healthy.delivered.length === 2, 'the healthy channel got both while the other hangs');
    assert.equal(down.requests.length, 1);
  });

  it('keeps the channel URL and its token out of logs, metrics and test results', async () => {
    const { receiver, faultline } = await setUp(() => ({ status: 400 }));
    await receiver.down();
    const results = await faultline.pipeline.test('hook');
    assert.equal(results.hook.outcome, 'retryable');
    await receiver.up();
    faultline.pipeline.sink.send(firing());
    await attemptsReach(faultline, 'rejected', 1);
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
