// discord channel keys: url (the webhook URL, itself a secret).

import { urlChannel, type UrlChannelSettings } from '../url-channel.js';

export type DiscordSettings = UrlChannelSettings<'discord'>;
export const DISCORD_CHANNEL = urlChannel('discord');
