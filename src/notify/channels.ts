// Which code builds each channel type. A new channel adds its folder, its keys in config.ts and
// its factory here.

import { createAlertmanagerNotifier } from './alertmanager/alertmanager-notifier.js';
import type { ChannelDeps, ChannelFactory, ChannelNotifier } from './channel.js';
import type { ChannelConfig } from './config.js';
import { createDiscordNotifier } from './discord/discord-notifier.js';
import { createEmailNotifier } from './email/email-notifier.js';
import { createPagerDutyNotifier } from './pagerduty/pagerduty-notifier.js';
import { createSlackNotifier } from './slack/slack-notifier.js';
import { createWebhookNotifier } from './webhook/webhook-notifier.js';

const FACTORIES: { readonly [T in ChannelConfig['type']]: ChannelFactory<Extract<ChannelConfig, { type: T }>> } = {
  webhook: createWebhookNotifier,
  slack: createSlackNotifier,
  discord: createDiscordNotifier,
  pagerduty: createPagerDutyNotifier,
  email: createEmailNotifier,
  alertmanager: createAlertmanagerNotifier,
};

export function createChannelNotifier(config: ChannelConfig, deps: ChannelDeps): ChannelNotifier {
  return (FACTORIES[config.type] as ChannelFactory<ChannelConfig>)(config, deps);
}
