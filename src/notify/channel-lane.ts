// One channel's delivery lane: its queue, circuit breaker and retry timing, and one attempt at a
// time (so a channel sees a rule's trigger before its resolve). Lanes share nothing, so a failing
// channel never delays or re-sends another channel's notification. Deadlines come from the
// injected clock; a real timer only wakes the lane to look again (wake() does the same at once).
// The outbox (outbox-store.ts) is the durable record of the queue: the lane inserts a row when it
// queues a delivery, updates it after a failed attempt and deletes it when done (lane-outbox.ts
// runs those writes in order). An attempt waits for the writes before it, so nothing is sent that
// is not stored; a notification whose row exists already (queued before) is not queued again.

import type { Logger } from 'pino';
import type { Clock } from '../internal/clock.js';
import { LaneOutbox } from './lane-outbox.js';
import type { Outbox } from './outbox-store.js';
import type { ChannelNotifier } from './channel.js';
import { CIRCUIT_GAUGE, CircuitBreaker } from './circuit-breaker.js';
import type { DeliveryConfig } from './config.js';
import { DeliveryQueue, type PendingDelivery } from './delivery-queue.js';
import type { AlertNotification, DeliveryResult } from './notification.js';
import type { DropReason, NotifyMetrics } from './notify-metrics.js';
import { decideRetry } from './retry-stage.js';
import { attemptWithTimeout, notifyWithTimeout } from './timeout-stage.js';

/** Longest real sleep between looks; a manual clock in tests moves without the timer knowing. */
const MAX_WAKE_MS = 30_000;
/** idle() waits out at most this many pump runs (each started by a wake() during the one before). */
const MAX_IDLE_ROUNDS = 10_000;

export interface LaneDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: NotifyMetrics;
  readonly random: () => number;
  /** The durable record of the queue. */
  readonly outbox: Pick<Outbox, 'add' | 'update' | 'remove' | 'keyOf'>;
}

/** How a delivery came into the lane: adopted from the outbox (its row exists), or new. */
export type Restored = Pick<PendingDelivery, 'attempts' | 'notBefore' | 'enqueuedAt'>;

/** A delivery attempt's outcome as the metrics and the alerts API name it. */
export type AttemptOutcome = 'delivered' | 'rejected' | 'error';

/** What the alerts API shows of one channel: its circuit, queue, and attempts since start. */
export interface ChannelView {
  readonly name: string;
  readonly circuit: 'closed' | 'half_open' | 'open';
  readonly queued: number;
  readonly outcomes: Readonly<Record<AttemptOutcome, number>>;
  /** The latest attempt (tests included); undefined before any. */
  readonly last?: { readonly outcome: AttemptOutcome; readonly atMs: number; readonly reason: string };
}

export function attemptOutcome(result: DeliveryResult): AttemptOutcome {
  return result.outcome === 'delivered' ? 'delivered' : result.outcome === 'failed' ? 'rejected' : 'error';
}

export class ChannelLane {
  readonly queue: DeliveryQueue;
  private readonly breaker: CircuitBreaker;
  private pumping: Promise<void> | undefined;
  private inFlight: PendingDelivery | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The Alertmanager refresh in flight; it never rejects. */
  private refreshing: Promise<void> | undefined;
  private wakeAgain = false;
  private stopped = true;
  private readonly outbox: LaneOutbox;
  private readonly outcomes: Record<AttemptOutcome, number> = { delivered: 0, rejected: 0, error: 0 };
  private last: ChannelView['last'];

  constructor(
    readonly notifier: ChannelNotifier,
    private readonly delivery: DeliveryConfig,
    private readonly deps: LaneDeps,
  ) {
    const channel = notifier.name;
    this.queue = new DeliveryQueue(delivery.queueSize);
    this.outbox = new LaneOutbox(deps.outbox, deps.logger, channel);
    this.breaker = new CircuitBreaker(delivery.circuitBreaker, (state) =>
      deps.metrics.circuitState.set({ channel }, CIRCUIT_GAUGE[state]),
    );
    deps.metrics.queueItems.set({ channel }, 0);
  }

  get name(): string {
    return this.notifier.name;
  }

  /** Counts one attempt's outcome for view() (settle() and test notifications call it). */
  noteAttempt(result: DeliveryResult, atMs: number): AttemptOutcome {
    const outcome = attemptOutcome(result);
    this.outcomes[outcome]++;
    this.last = { outcome, atMs, reason: result.outcome === 'delivered' ? '' : result.reason };
    return outcome;
  }

  view(): ChannelView {
    const view = { name: this.name, circuit: this.breaker.state(this.deps.clock.now()), queued: this.queue.size, outcomes: { ...this.outcomes } };
    return this.last === undefined ? view : { ...view, last: this.last };
  }

  /**
   * Queues `notification` unless already queued (same id) and records it in the outbox, or, when
   * `restored`, takes a delivery whose outbox row exists. Never throws, never waits.
   */
  enqueue(notification: AlertNotification, restored?: Restored): void {
    if (this.queue.has(notification.id)) return;
    const now = this.deps.clock.now();
    const item: PendingDelivery = {
      channel: this.name,
      notification,
      attempts: restored?.attempts ?? 0,
      notBefore: restored?.notBefore ?? now,
      enqueuedAt: restored?.enqueuedAt ?? now,
    };
    const dropped = this.queue.push(item, this.inFlight);
    if (dropped) {
      this.drop(dropped, 'queue_full', 'the channel queue is full');
      if (dropped !== item || restored) this.outbox.remove(dropped);
    }
    if (dropped !== item && restored) this.outbox.adopted(item);
    else if (dropped !== item)
      this.outbox.add(item, now, () => {
        // Queued before (by this replica or another): its row's owner delivers it.
        if (item !== this.inFlight) this.queue.remove(item);
        this.deps.logger.debug({ rule: notification.rule, channel: this.name, notification: notification.id }, 'notification already queued');
      });
    this.changed();
    this.wake();
  }

  /** The queued deliveries whose outbox row is written (or adopted) by now. */
  storedItems(): PendingDelivery[] {
    return this.queue.all().filter((item) => this.outbox.isStored(item));
  }

  /**
   * Drops those of `candidates` (storedItems() taken before a sweep) still queued whose outbox row
   * this replica no longer owns: another replica adopted it, as this one renewed too late.
   */
  forgetUnless(candidates: readonly PendingDelivery[], owned: ReadonlySet<string>): number {
    let forgotten = 0;
    for (const item of candidates) {
      if (item === this.inFlight || owned.has(this.outbox.keyOf(item)) || !this.queue.all().includes(item)) continue;
      this.queue.remove(item);
      forgotten++;
    }
    if (forgotten > 0) this.changed();
    return forgotten;
  }

  /** Resolves once every outbox write asked for so far has run. */
  flush(): Promise<void> {
    return this.outbox.flush();
  }

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Stops taking new attempts and waits for the one in flight (bounded by its timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pumping;
    await this.flush();
  }

  /**
   * Resolves once no attempt or refresh is in flight and nothing queued is due: what is still
   * queued waits for a later time (a backoff, Retry-After, an open circuit) on the clock.
   */
  async idle(): Promise<void> {
    for (let round = 0; round < MAX_IDLE_ROUNDS; round++) {
      const busy = this.pumping ?? this.refreshing;
      if (busy === undefined) {
        await this.flush();
        if ((this.pumping ?? this.refreshing) === undefined) return;
        continue;
      }
      await busy;
    }
    throw new Error(`channel ${this.name} did not become idle after ${MAX_IDLE_ROUNDS} runs`);
  }

  /** Looks at the queue now: after enqueue, and in tests after the manual clock moved. */
  wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      // The running pump may be past its last look at the queue: look again once it ends.
      this.wakeAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.wakeAgain = false;
    this.pumping = this.pump()
      .catch((error: unknown) => this.deps.logger.error({ err: error, channel: this.name }, 'notification lane failed'))
      .finally(() => {
      this.pumping = undefined;
      if (this.wakeAgain) this.wake();
    });
  }

  /** Mirrors firing alerts (Alertmanager). Skipped while the circuit is open or one is running. */
  async refresh(firing: readonly AlertNotification[], holdMs: number): Promise<void> {
    const refresh = this.notifier.refresh?.bind(this.notifier);
    if (!refresh || firing.length === 0 || this.refreshing || this.stopped) return;
    if (this.breaker.state(this.deps.clock.now()) === 'open') return;
    const run = (async () => {
      const result = await attemptWithTimeout(this.notifier, (signal) => refresh(firing, holdMs, signal), this.delivery.timeoutMs);
      const outcome = result.outcome === 'delivered' ? 'refreshed' : 'refresh_error';
      for (const notification of firing) {
        this.deps.metrics.notifications.inc({ rule: notification.rule, channel: this.name, outcome });
      }
    })();
    this.refreshing = run.then(
      () => undefined,
      () => undefined,
    );
    try {
      await run;
    } finally {
      this.refreshing = undefined;
    }
  }

  private async pump(): Promise<void> {
    const { clock, metrics } = this.deps;
    while (!this.stopped) {
      const head = this.queue.head();
      if (!head) return;
      // Send nothing that is not stored: wait for the outbox writes asked for so far.
      await this.flush();
      const item = this.queue.head();
      if (item !== head || this.stopped) continue;
      const now = clock.now();
      const dueAt = Math.max(item.notBefore, this.breaker.nextAttemptAt(now));
      if (dueAt > now) {
        this.sleep(dueAt - now);
        return;
      }
      this.inFlight = item;
      const stopTimer = metrics.duration.startTimer({ channel: this.name });
      const result = await notifyWithTimeout(this.notifier, item.notification, this.delivery.timeoutMs);
      stopTimer();
      this.inFlight = undefined;
      item.attempts++;
      this.settle(item, result);
    }
  }

  private settle(item: PendingDelivery, result: DeliveryResult): void {
    const { clock, metrics, random } = this.deps;
    const now = clock.now();
    const outcome = this.noteAttempt(result, now);
    metrics.notifications.inc({ rule: item.notification.rule, channel: this.name, outcome });
    this.breaker.record(result, now);
    const decision = decideRetry(result, item.attempts, this.delivery.retry, random);
    const reason = result.outcome === 'delivered' ? '' : result.reason;
    if (decision.action === 'done') {
      this.queue.remove(item);
      this.outbox.remove(item);
    } else if (decision.action === 'give_up') {
      this.queue.remove(item);
      this.drop(item, decision.reason, reason);
      this.outbox.remove(item);
    } else {
      item.notBefore = now + decision.delayMs;
      this.deps.logger.debug(
        { rule: item.notification.rule, channel: this.name, attempts: item.attempts, retryInMs: decision.delayMs, reason },
        'notification delivery failed; will retry',
      );
      this.outbox.update(item);
    }
    this.changed();
  }

  private drop(item: PendingDelivery, reason: DropReason, detail: string): void {
    this.deps.metrics.dropped.inc({ channel: this.name, reason });
    this.deps.logger.warn(
      { rule: item.notification.rule, channel: this.name, notification: item.notification.id, attempts: item.attempts, reason, detail },
      'notification dropped',
    );
  }

  private sleep(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), Math.min(Math.max(ms, 1), MAX_WAKE_MS));
    this.timer.unref();
  }

  private changed(): void {
    this.deps.metrics.queueItems.set({ channel: this.name }, this.queue.size);
  }
}
