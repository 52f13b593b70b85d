// The new_group and regression signals: the error group store publishes them, the alert
// evaluator and metrics subscribe. One bus per groups exporter (service.ts): an alerts exporter
// listens to the one its config names (exporters.alerts.groups). The bus also answers which group
// a (service, fingerprint) files into now, after merges, so an alert can link to its group: the
// store registers that lookup.

import type { ErrorEvent } from '../extract/error-event.js';

export interface GroupSignal {
  /** `new_group`: a fingerprint never seen before; `regression`: a resolved group seen again. */
  readonly kind: 'new_group' | 'regression';
  /** The store's group id; '' when the signal did not come from a store (no link to give). */
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
  /** The id of the group (service, fingerprint) files into; undefined when no store holds one. */
  groupIdOf(service: string, fingerprint: string): string | undefined;
  /** Registers the store's lookup for groupIdOf; the first registered answers. Returns a function that unregisters it. */
  answerGroupIds(lookup: GroupIdLookup): () => void;
}

export type GroupIdLookup = (service: string, fingerprint: string) => string | undefined;

export function createGroupSignals(): GroupSignals {
  const listeners = new Set<(signal: GroupSignal) => void>();
  const lookups: GroupIdLookup[] = [];
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
    groupIdOf: (service, fingerprint) => lookups[0]?.(service, fingerprint),
    answerGroupIds(lookup) {
      lookups.push(lookup);
      return () => {
        const at = lookups.indexOf(lookup);
        if (at >= 0) lookups.splice(at, 1);
      };
    },
  };
}
