// One HTTP POST to a channel and the one table from its answer to a DeliveryResult:
//   2xx → delivered; 408, 429, 5xx, network errors and timeouts → retryable (honouring
//   Retry-After in seconds or as an HTTP date); any other status → failed (retrying will not help).
// Reasons never carry the URL, its query or the body: they may hold tokens. The answer's body is
// read up to MAX_RESPONSE_BYTES (so a short answer leaves the connection reusable) and never kept:
// a receiver that answers with a huge or endless body costs one bounded read and that connection.

import type { Clock } from '../internal/clock.js';
import type { DeliveryResult } from './notification.js';
import { reasonOf, redactUrl } from './redact.js';

export interface HttpPost {
  readonly url: string;
  readonly body: Uint8Array | string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  /** Strings to scrub from any reason (the URL, keys). */
  readonly secrets: readonly string[];
  readonly clock: Clock;
}

/** Milliseconds to wait from a Retry-After value, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Most bytes of an answer's body read; past it the rest is discarded with the connection. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** Most chunks read, should a body trickle in tiny ones. */
const MAX_RESPONSE_READS = 1024;

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export async function postJson(request: HttpPost): Promise<DeliveryResult> {
  const where = redactUrl(request.url);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'faultline', ...request.headers },
      body: request.body,
      signal: request.signal,
      redirect: 'error',
    });
    // Read (bounded) so the connection is reused; never echoed: receivers may repeat the request in it.
    await discardBody(response);
    if (response.ok) return { outcome: 'delivered' };
    const reason = `${where} answered ${response.status}`;
    if (!isRetryableStatus(response.status)) return { outcome: 'failed', reason };
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), request.clock.now());
    return retryAfterMs === undefined ? { outcome: 'retryable', reason } : { outcome: 'retryable', reason, retryAfterMs };
  } catch (error) {
    if (request.signal.aborted) return { outcome: 'retryable', reason: `${where} timed out` };
    return { outcome: 'retryable', reason: `${where} unreachable: ${reasonOf(error, request.secrets)}` };
  }
}

/** Reads and drops at most MAX_RESPONSE_BYTES of the body, then cancels the rest. Never throws. */
async function discardBody(response: Response): Promise<void> {
  if (response.body === null) return;
  const reader = response.body.getReader();
  try {
    for (let read = 0, reads = 0; read <= MAX_RESPONSE_BYTES && reads < MAX_RESPONSE_READS; reads++) {
      const chunk = await reader.read();
      if (chunk.done) return;
      read += chunk.value.byteLength;
    }
    await reader.cancel();
  } catch {
    // A body that breaks off changes nothing: the status decided the result.
  }
}
