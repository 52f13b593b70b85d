// What the delivery pipeline needs from a channel beyond the Notifier contract: the secrets to
// scrub from reasons, (Alertmanager only) a way to mirror the currently firing alerts, and a
// close() for channels that hold connections (an SMTP transport, a producer). Also the shape of a
// channel type (ChannelType), which each channel folder exports and src/components.ts lists.

import type { Clock } from '../internal/clock.js';
import type { ChannelConfig, ChannelKeys, ChannelSettings } from './config.js';
import type { AlertNotification, DeliveryResult, Notifier } from './notification.js';

export interface ChannelNotifier extends Notifier {
  /** URLs, keys and passwords of this channel: never in a reason, log line or API answer. */
  readonly secrets: readonly string[];
  /**
   * Re-sends every firing alert of this channel with `endsAt` = now + `holdMs` (Alertmanager
   * resolves alerts it stops hearing about). Best effort: the next evaluation sends again.
   */
  refresh?(firing: readonly AlertNotification[], holdMs: number, signal: AbortSignal): Promise<DeliveryResult>;
  /**
   * Releases what the channel holds open. The pipeline calls it once, at shutdown, after the last
   * attempt has ended; nothing is sent afterwards. Must not throw; a rejection is logged.
   */
  close?(): Promise<void>;
}

export interface ChannelDeps {
  readonly clock: Clock;
  /** How far ahead a firing alert's endsAt is set (Alertmanager): 3 evaluation intervals. */
  readonly holdMs: () => number;
}

export type ChannelFactory<C extends ChannelConfig = ChannelConfig> = (config: C, deps: ChannelDeps) => ChannelNotifier;

/**
 * One channel type, as a component factory: its keys (config.ts in its folder) and what builds its
 * notifier. src/components.ts lists them; a new channel is its folder plus one line there.
 */
export interface ChannelType<S extends ChannelSettings = ChannelSettings, F extends ChannelKeys['fields'] = ChannelKeys['fields']>
  extends ChannelKeys<S, F> {
  create(config: ChannelConfig<S>, deps: ChannelDeps): ChannelNotifier;
}
