// Builds a channel's notifier with the channel type its config names, from the channel types
// given (src/components.ts lists them; this file names none).

import type { ChannelDeps, ChannelNotifier, ChannelType } from './channel.js';
import type { ChannelConfig } from './config.js';

export function createChannelNotifier(types: readonly ChannelType[], config: ChannelConfig, deps: ChannelDeps): ChannelNotifier {
  const type = types.find((t) => t.type === config.type);
  if (type === undefined) throw new Error(`no channel type "${config.type}"`);
  return type.create(config, deps);
}
