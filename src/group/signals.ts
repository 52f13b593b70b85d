// The new_group and regression signals: the error group store publishes them, the alert
// evaluator and metrics subscribe. One bus per Faultline instance.

import type { ErrorEvent } from '../extract/error-event.js';

export interface GroupSignal {
  /** `new_group`: a fingerprint never seen before; `regression`: a resolved group seen again. */
  readonly kind: 'new_group' | 'regression';
  readonly groupId: string;
  readonly fingerprint: string;
  /** The group's normalised title, e.g. `TimeoutError: request <hex> took <num>ms`. */
  readonly title: string;
  /** The event that opened or reopened the group. */
  readonly event: ErrorEvent;
}

export interface GroupSignals {
  emit(signal: GroupSignal): void;
  /** Returns a function that unsubscribes. Listeners must not throw; a throw is swallowed. */
  subscribe(listener: (signal: GroupSignal) => void): () => void;
}

export function createGroupSignals(): GroupSignals {
  const listeners = new Set<(signal: GroupSignal) => void>();
  return {
    emit(signal) {
      for (const listener of listeners) {
        try {
          listener(signal);
        } catch {
          // A listener's failure must not stop the others or the store.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
