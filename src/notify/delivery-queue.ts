// One channel's bounded queue of pending deliveries, in arrival order (a channel gets a rule's
// trigger before its resolve). When full, the oldest notification of the lowest severity present
// gives way, which may be the newcomer itself; the caller counts it. The item being delivered is
// never chosen.

import type { AlertNotification, AlertSeverity } from './notification.js';

export interface PendingDelivery {
  readonly channel: string;
  readonly notification: AlertNotification;
  /** Attempts made so far. */
  attempts: number;
  /** Unix ms (injected clock) before which no attempt is made: backoff or Retry-After. */
  notBefore: number;
  readonly enqueuedAt: number;
}

const RANK: Readonly<Record<AlertSeverity, number>> = { low: 0, medium: 1, high: 2, critical: 3 };

export class DeliveryQueue {
  private readonly items: PendingDelivery[] = [];

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  head(): PendingDelivery | undefined {
    return this.items[0];
  }

  has(notificationId: string): boolean {
    return this.items.some((item) => item.notification.id === notificationId);
  }

  all(): readonly PendingDelivery[] {
    return this.items;
  }

  /** Adds `item`; returns what was dropped to make room (possibly `item`), or undefined. */
  push(item: PendingDelivery, busy?: PendingDelivery): PendingDelivery | undefined {
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return undefined;
    }
    let victim: PendingDelivery = item;
    for (const candidate of this.items) {
      if (candidate === busy) continue;
      // `<=`: among equals the queued one is older than the newcomer.
      if (RANK[candidate.notification.severity] <= RANK[victim.notification.severity]) {
        if (victim === item || RANK[candidate.notification.severity] < RANK[victim.notification.severity]) victim = candidate;
      }
    }
    if (victim === item) return item;
    this.items.splice(this.items.indexOf(victim), 1);
    this.items.push(item);
    return victim;
  }

  remove(item: PendingDelivery): void {
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
  }
}
