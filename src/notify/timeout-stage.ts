// One delivery attempt under a deadline: the notifier gets an AbortSignal that fires after
// `timeout` (a real timer: it bounds real I/O), or when the pipeline shuts down. A notifier that
// throws despite the contract, or ignores the signal, still yields a retryable result.

import type { ChannelNotifier } from './channel.js';
import type { AlertNotification, DeliveryResult } from './notification.js';
import { reasonOf } from './redact.js';

export async function attemptWithTimeout(
  notifier: ChannelNotifier,
  run: (signal: AbortSignal) => Promise<DeliveryResult>,
  timeoutMs: number,
  stopping?: AbortSignal,
): Promise<DeliveryResult> {
  const controller = new AbortController();
  const onStop = () => controller.abort();
  stopping?.addEventListener('abort', onStop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<DeliveryResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      // Give the notifier a moment to answer the abort itself, then stop waiting for it.
      setTimeout(() => resolve({ outcome: 'retryable', reason: `${notifier.name}: timed out` }), 50).unref();
    }, timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([
      run(controller.signal).catch(
        (error: unknown): DeliveryResult => ({ outcome: 'retryable', reason: reasonOf(error, notifier.secrets) }),
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    stopping?.removeEventListener('abort', onStop);
  }
}

export function notifyWithTimeout(
  notifier: ChannelNotifier,
  notification: AlertNotification,
  timeoutMs: number,
  stopping?: AbortSignal,
): Promise<DeliveryResult> {
  return attemptWithTimeout(notifier, (signal) => notifier.notify(notification, signal), timeoutMs, stopping);
}
