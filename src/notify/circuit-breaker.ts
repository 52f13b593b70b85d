// One channel's circuit breaker, on the injected clock. Closed: attempts go through, and
// `failure_threshold` retryable failures in a row open it. Open: no attempt until `open_duration`
// has passed; then half-open: one trial attempt, which closes it on success or opens it again.
// A permanent refusal (a 4xx) proves the channel is up, so it counts as a success here.

import type { DeliveryConfig } from './config.js';
import type { DeliveryResult } from './notification.js';

export type CircuitState = 'closed' | 'half_open' | 'open';

/** The faultline_notification_circuit_state gauge's values. */
export const CIRCUIT_GAUGE: Readonly<Record<CircuitState, number>> = { closed: 0, half_open: 1, open: 2 };

export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openUntil = 0;

  constructor(
    private readonly config: DeliveryConfig['circuitBreaker'],
    private readonly onChange: (state: CircuitState) => void,
  ) {
    onChange('closed');
  }

  /** The state at `now` (open turns half-open once its time is up). */
  state(now: number): CircuitState {
    if (this.current === 'open' && now >= this.openUntil) this.set('half_open');
    return this.current;
  }

  /** Earliest time an attempt may be made: `now` unless open. */
  nextAttemptAt(now: number): number {
    return this.state(now) === 'open' ? this.openUntil : now;
  }

  record(result: DeliveryResult, now: number): void {
    if (result.outcome !== 'retryable') {
      this.failures = 0;
      if (this.current !== 'closed') this.set('closed');
      return;
    }
    this.failures++;
    if (this.current === 'half_open' || this.failures >= this.config.failureThreshold) {
      this.openUntil = now + this.config.openDurationMs;
      this.set('open');
    }
  }

  private set(state: CircuitState): void {
    this.current = state;
    this.onChange(state);
  }
}
