// discord channel keys: url (the webhook URL, itself a secret).

import { httpUrl } from '../channel-values.js';

export interface DiscordSettings {
  readonly type: 'discord';
  readonly url: string;
}

export const DISCORD_FIELDS = { url: httpUrl };

export function discordSettings(decoded: { url: string }): DiscordSettings {
  return { type: 'discord', url: decoded.url };
}
