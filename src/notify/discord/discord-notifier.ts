// discord: a webhook message with one embed coloured by severity. Discord refuses the whole
// message past its limits (content 2000, title 256, description 4096, 25 fields of name 256 and
// value 1024, 6000 characters across an embed, 10 embeds), so every part is fitted with "+N more"
// and "… N more lines". An alert about one error group links its title to the group (embed url)
// and names the group first in the description.

import type { ChannelFactory, ChannelType } from '../channel.js';
import type { ChannelConfig } from '../config.js';
import { DISCORD_CHANNEL, type DiscordSettings } from './config.js';
import { postJson } from '../http-delivery.js';
import { buildMessage, capFields, cutChars, fitText } from '../message.js';
import type { AlertNotification } from '../notification.js';
import { colourOf } from '../severity-colours.js';

type DiscordConfig = ChannelConfig<DiscordSettings>;

export const DISCORD_LIMITS = {
  content: 2000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  embedTotal: 6000,
  embeds: 10,
} as const;

// Tighter than Discord's own per-field caps so 25 fields can never eat the 6000 total.
const FIELD_NAME_MAX = 64;
const FIELD_VALUE_MAX = 120;
const FIELDS_MAX = 20;

export function discordBody(notification: AlertNotification, config: DiscordConfig): Record<string, unknown> {
  const view = buildMessage(notification, config.delivery.template);
  const title = cutChars(view.title, DISCORD_LIMITS.title);
  const fields = capFields([...view.facts, ...view.labels], FIELDS_MAX).map((field) => ({
    name: cutChars(field.name, FIELD_NAME_MAX) || '-',
    value: cutChars(field.value, FIELD_VALUE_MAX) || '-',
    inline: true,
  }));
  const fieldChars = fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
  const budget = Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.embedTotal - title.length - fieldChars - 16);
  const groupLine = view.group && `error group [${view.group.id}](${view.group.url})`;
  const prose = [groupLine, view.description, view.sample && `**${view.sample.type}** in ${view.sample.service}: ${view.sample.message}`, view.traceId && `trace \`${view.traceId}\``]
    .filter((text): text is string => !!text)
    .join('\n\n');
  let description = fitText(prose, view.stacktrace ? Math.floor(budget / 2) : budget);
  const room = budget - description.length - 10;
  if (view.stacktrace && room > 40) description += `\n\`\`\`\n${fitText(view.stacktrace, room)}\n\`\`\``;
  const colour = colourOf(notification);
  return {
    content: cutChars(`**${view.title}**${view.summary ? ` ${view.summary}` : ''}`, DISCORD_LIMITS.content),
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title,
        // Discord refuses the whole message for an embed url that is not absolute.
        ...(view.group && /^https?:\/\//.test(view.group.url) ? { url: view.group.url } : {}),
        description,
        color: Number.parseInt(colour.slice(1), 16),
        fields,
        timestamp: new Date(notification.endsAt ?? notification.startsAt).toISOString(),
      },
    ],
  };
}

export const createDiscordNotifier: ChannelFactory<DiscordConfig> = (config, { clock }) => {
  const secrets = [config.url];
  return {
    name: config.name,
    secrets,
    notify: (notification, signal) =>
      postJson({ url: config.url, body: JSON.stringify(discordBody(notification, config)), signal, secrets, clock }),
  };
};

/** The discord channel type: its keys (config.ts) and its notifier; listed in src/components.ts. */
export const discordChannel: ChannelType<DiscordSettings, typeof DISCORD_CHANNEL.fields> = {
  type: 'discord',
  fields: DISCORD_CHANNEL.fields,
  settings: DISCORD_CHANNEL.settings,
  create: createDiscordNotifier,
};
