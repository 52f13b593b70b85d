// One lane's writes to the outbox (outbox-store.ts), run in the order the lane asks for them, one
// after another (a delete never overtakes the insert it undoes, even on a pooled PostgreSQL), and
// which of the lane's deliveries have a stored row. A write that fails is logged: the lane still
// delivers what it holds in memory, only that delivery is not durable.

import type { Logger } from 'pino';
import type { PendingDelivery } from './delivery-queue.js';
import type { Outbox } from './outbox-store.js';

/** flush() waits out at most this many writes queued while it waited. */
const MAX_FLUSH_ROUNDS = 10_000;

export class LaneOutbox {
  /** The writes, in order; never rejects. */
  private writes: Promise<void> = Promise.resolve();
  /** Deliveries whose row this lane wrote or adopted. */
  private readonly stored = new WeakSet<PendingDelivery>();

  constructor(
    private readonly outbox: Pick<Outbox, 'add' | 'update' | 'remove' | 'keyOf'>,
    private readonly logger: Logger,
    private readonly channel: string,
  ) {}

  keyOf(item: PendingDelivery): string {
    return this.outbox.keyOf(item);
  }

  isStored(item: PendingDelivery): boolean {
    return this.stored.has(item);
  }

  /** Inserts the row of a new delivery; calls `duplicate` when a row with its key existed already. */
  add(item: PendingDelivery, nowMs: number, duplicate: () => void): void {
    this.write(async () => {
      if (await this.outbox.add(item, nowMs)) this.stored.add(item);
      else duplicate();
    });
  }

  /** A delivery adopted from the outbox: its row exists. */
  adopted(item: PendingDelivery): void {
    this.stored.add(item);
  }

  update(item: PendingDelivery): void {
    this.write(() => this.outbox.update(item));
  }

  remove(item: PendingDelivery): void {
    this.write(() => this.outbox.remove(item));
  }

  /** Resolves once every write asked for so far has run. */
  async flush(): Promise<void> {
    for (let round = 0; round < MAX_FLUSH_ROUNDS; round++) {
      const writes = this.writes;
      await writes;
      if (writes === this.writes) return;
    }
  }

  private write(work: () => Promise<unknown>): void {
    this.writes = this.writes.then(work).then(
      () => undefined,
      (error: unknown) => this.logger.error({ err: error, channel: this.channel }, 'the notification outbox could not be written'),
    );
  }
}
