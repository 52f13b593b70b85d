// The state machine of one rule and group: inactive → pending (while `for` runs) → firing →
// resolved (→ forgotten once the cooldown has passed). It decides when to notify:
// - A firing incident notifies once, as soon as no cooldown is running; the cooldown starts then.
// - repeat: cooldown re-notifies a still-firing incident each time the cooldown runs out; never
//   does not.
// - Flapping is damped: an incident that resolves and fires again inside the cooldown is silent
//   (and so is its resolve); if it is still firing when the cooldown ends it notifies then, even
//   when notify_resolved is off (a re-fire after a resolve must not be lost).
// - keep_firing_for holds a firing incident through short clear spells, so a flapping condition is
//   one incident with one resolve at its end.
// - A resolve notifies only for an incident that was announced, and only with notify_resolved.

export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved';

export interface GroupState {
  readonly key: string;
  readonly labels: Readonly<Record<string, string>>;
  state: AlertState;
  value: number;
  /** When the condition last became true (pending since). */
  activeSince: number;
  /** When the current incident started firing. */
  startsAt: number;
  /** When it resolved; 0 while firing. */
  endsAt: number;
  /** The last evaluation at which the condition held. */
  lastActiveAt: number;
  /** Whether the current incident has been announced. */
  notified: boolean;
  lastNotifiedAt: number;
  /** No firing notification for this group before this time. */
  cooldownUntil: number;
}

export interface StepRule {
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly cooldownMs: number;
  readonly repeat: 'never' | 'cooldown';
  readonly notifyResolved: boolean;
}

export function newGroupState(key: string, labels: Readonly<Record<string, string>>): GroupState {
  return {
    key,
    labels,
    state: 'inactive',
    value: 0,
    activeSince: 0,
    startsAt: 0,
    endsAt: 0,
    lastActiveAt: 0,
    notified: false,
    lastNotifiedAt: 0,
    cooldownUntil: 0,
  };
}

/**
 * Moves `group` on by one evaluation at `now`. Returns the notification to send, if any.
 * `holdResolve` keeps a firing group firing when its data is not yet trustworthy (after a restart,
 * until one window of fresh data has been seen).
 */
export function step(group: GroupState, active: boolean, now: number, rule: StepRule, holdResolve = false): 'firing' | 'resolved' | null {
  if (active) {
    group.lastActiveAt = now;
    if (group.state === 'inactive' || group.state === 'resolved') {
      group.state = 'pending';
      group.activeSince = now;
    }
    if (group.state === 'pending' && now - group.activeSince >= rule.forMs) {
      group.state = 'firing';
      group.startsAt = now;
      group.endsAt = 0;
      group.notified = false;
    }
    if (group.state !== 'firing' || now < group.cooldownUntil) return null;
    if (group.notified && rule.repeat === 'never') return null;
    group.notified = true;
    group.lastNotifiedAt = now;
    group.cooldownUntil = now + rule.cooldownMs;
    return 'firing';
  }
  if (group.state === 'pending') {
    group.state = 'inactive';
    return null;
  }
  if (group.state !== 'firing' || holdResolve || now - group.lastActiveAt < rule.keepFiringForMs) return null;
  group.state = 'resolved';
  group.endsAt = now;
  return group.notified && rule.notifyResolved ? 'resolved' : null;
}

/** A group with nothing left to remember: inactive, or resolved with its cooldown over. */
export function isForgettable(group: GroupState, now: number): boolean {
  return group.state === 'inactive' || (group.state === 'resolved' && now >= group.cooldownUntil);
}
