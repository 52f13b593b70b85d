// When to try a failed delivery again: exponential backoff from `initial_interval`, doubling per
// attempt up to `max_interval`, with jitter (a random point in the upper half, so replicas and
// channels spread out without ever retrying sooner than half the backoff), never before a
// Retry-After the channel asked for (capped at 1h). Permanent failures and the last attempt give up.

import type { DeliveryConfig } from './config.js';
import type { DeliveryResult } from './notification.js';

export const MAX_RETRY_AFTER_MS = 3_600_000;

export type RetryDecision =
  | { readonly action: 'done' }
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'give_up'; readonly reason: 'rejected' | 'retries_exhausted' };

export function backoffMs(attempts: number, retry: DeliveryConfig['retry'], random: () => number): number {
  const exponential = Math.min(retry.maxIntervalMs, retry.initialIntervalMs * 2 ** Math.min(attempts - 1, 40));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

/** `attempts` counts the attempt that produced `result`. */
export function decideRetry(
  result: DeliveryResult,
  attempts: number,
  retry: DeliveryConfig['retry'],
  random: () => number,
): RetryDecision {
  if (result.outcome === 'delivered') return { action: 'done' };
  if (result.outcome === 'failed') return { action: 'give_up', reason: 'rejected' };
  if (attempts >= retry.maxAttempts) return { action: 'give_up', reason: 'retries_exhausted' };
  const retryAfter = Math.min(result.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
  return { action: 'retry', delayMs: Math.max(backoffMs(attempts, retry, random), retryAfter) };
}
