import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker, type CircuitState } from '../../src/notify/circuit-breaker.js';
import { DELIVERY_DEFAULTS } from '../../src/notify/config.js';
import { DeliveryQueue, type PendingDelivery } from '../../src/notify/delivery-queue.js';
import { parseRetryAfter } from '../../src/notify/http-delivery.js';
import { cutLines, fitText } from '../../src/notify/message.js';
import { redactText, redactUrl } from '../../src/notify/redact.js';
import { backoffMs, decideRetry } from '../../src/notify/retry-stage.js';
import { firing } from './helpers/notifications.js';

const retry = { initialIntervalMs: 1000, maxIntervalMs: 60_000, maxAttempts: 5 };

describe('the retry stage', () => {
  it('doubles the backoff per attempt up to max_interval, with jitter in the upper half', () => {
    assert.equal(backoffMs(1, retry, () => 0), 500);
    assert.equal(backoffMs(1, retry, () => 0.999999), 1000);
    assert.equal(backoffMs(3, retry, () => 0), 2000);
    assert.equal(backoffMs(20, retry, () => 0.999999), 60_000);
  });

  it('waits at least as long as Retry-After asks', () => {
    assert.deepEqual(decideRetry({ outcome: 'retryable', reason: '429', retryAfterMs: 30_000 }, 1, retry, () => 0), {
      action: 'retry',
      delayMs: 30_000,
    });
  });

  it('gives up at once on a permanent failure and after max_attempts on retryable ones', () => {
    assert.deepEqual(decideRetry({ outcome: 'failed', reason: '400' }, 1, retry, Math.random), { action: 'give_up', reason: 'rejected' });
    assert.deepEqual(decideRetry({ outcome: 'retryable', reason: '500' }, 5, retry, Math.random), {
      action: 'give_up',
      reason: 'retries_exhausted',
    });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('2', now), 2000);
    assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('Mon, 01 Jan 2023 00:00:05 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });
});

describe('the circuit breaker', () => {
  it('opens after failure_threshold failures in a row, half-opens after open_duration, closes on success', () => {
    const states: CircuitState[] = [];
    const breaker = new CircuitBreaker({ failureThreshold: 2, openDurationMs: 1000 }, (state) => states.push(state));
    const failure = { outcome: 'retryable', reason: '500' } as const;
    breaker.record(failure, 0);
    assert.equal(breaker.state(0), 'closed');
    breaker.record(failure, 0);
    assert.equal(breaker.state(999), 'open');
    assert.equal(breaker.nextAttemptAt(500), 1000);
    assert.equal(breaker.state(1000), 'half_open');
    breaker.record(failure, 1000);
    assert.equal(breaker.state(1500), 'open', 'a failed trial opens it again');
    assert.equal(breaker.state(2000), 'half_open');
    breaker.record({ outcome: 'delivered' }, 2000);
    assert.equal(breaker.state(2000), 'closed');
    assert.deepEqual(states, ['closed', 'open', 'half_open', 'open', 'half_open', 'closed']);
  });

  it('treats a permanent refusal as proof the channel is up', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, openDurationMs: 1000 }, () => {});
    breaker.record({ outcome: 'retryable', reason: '500' }, 0);
    breaker.record({ outcome: 'failed', reason: '400' }, 0);
    breaker.record({ outcome: 'retryable', reason: '500' }, 0);
    assert.equal(breaker.state(0), 'closed');
  });
});

describe('the delivery queue', () => {
  const item = (severity: 'low' | 'medium' | 'high' | 'critical'): PendingDelivery => ({
    channel: 'c',
    notification: firing({ severity }),
    attempts: 0,
    notBefore: 0,
    enqueuedAt: 0,
  });

  it('drops the oldest of the lowest severity when full, never the item being delivered', () => {
    const queue = new DeliveryQueue(3);
    const [lowOld, high, lowNew] = [item('low'), item('high'), item('low')];
    for (const pending of [lowOld, high, lowNew]) assert.equal(queue.push(pending), undefined);
    assert.equal(queue.push(item('critical'), lowOld), lowNew, 'lowOld is in flight');
    const medium = item('medium');
    assert.equal(queue.push(medium), lowOld);
    assert.equal(queue.push(item('low'))?.notification.severity, 'low', 'a newcomer of the lowest severity gives way itself');
    assert.deepEqual(queue.all().map((pending) => pending.notification.severity), ['high', 'critical', 'medium']);
  });
});

describe('fitting text', () => {
  it('cuts by lines with "… N more lines" and stays within the limit', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');
    const fitted = fitText(text, 500);
    assert.ok(fitted.length <= 500);
    assert.match(fitted, /\n… \d+ more lines$/);
    assert.equal(cutLines('a\nb\nc', 1), 'a\n… 2 more lines');
    assert.equal(cutLines('a\nb', 2), 'a\nb');
  });

  it('cuts one overlong line without splitting an emoji', () => {
    const fitted = fitText('🔥'.repeat(100), 51);
    assert.ok(fitted.length <= 51);
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(fitted));
  });
});

describe('redaction', () => {
  it('keeps only scheme and host of a URL, and removes secrets from any text', () => {
    assert.equal(redactUrl('https://hooks.slack.com/services/T0/B0/abcdef'), 'https://hooks.slack.com/[redacted]');
    assert.equal(redactText('failed: key R0UTINGKEY here', ['R0UTINGKEY']), 'failed: key [redacted] here');
  });

  it('has defaults that retry for a while and open the circuit after five failures', () => {
    assert.equal(DELIVERY_DEFAULTS.retry.maxAttempts, 30);
    assert.equal(DELIVERY_DEFAULTS.circuitBreaker.failureThreshold, 5);
  });
});
