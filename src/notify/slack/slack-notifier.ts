// slack: an incoming-webhook message, one attachment coloured by severity (green when resolved)
// holding Block Kit blocks. Slack refuses a message outright when a block is over its limit, so
// every text is fitted: header 150, section text 3000, at most 10 fields of 2000 each, with
// "+N more" and "… N more lines" where something was left out. An alert about one error group gets
// a section linking to it.

import type { ChannelFactory, ChannelType } from '../channel.js';
import type { ChannelConfig } from '../config.js';
import { SLACK_CHANNEL, type SlackSettings } from './config.js';
import { postJson } from '../http-delivery.js';
import { buildMessage, capFields, cutChars, fitText, type MessageField } from '../message.js';
import type { AlertNotification } from '../notification.js';
import { colourOf } from '../severity-colours.js';

type SlackConfig = ChannelConfig<SlackSettings>;

export const SLACK_LIMITS = { headerText: 150, sectionText: 3000, fields: 10, fieldText: 2000, blocks: 50 } as const;

function section(text: string): Record<string, unknown> {
  return { type: 'section', text: { type: 'mrkdwn', text: fitText(text, SLACK_LIMITS.sectionText) } };
}

function fieldsSection(fields: readonly MessageField[]): Record<string, unknown> {
  return {
    type: 'section',
    fields: capFields(fields, SLACK_LIMITS.fields).map((field) => ({
      type: 'mrkdwn',
      text: cutChars(`*${field.name}*\n${field.value}`, SLACK_LIMITS.fieldText),
    })),
  };
}

export function slackBody(notification: AlertNotification, config: SlackConfig): Record<string, unknown> {
  const view = buildMessage(notification, config.delivery.template);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: cutChars(view.title, SLACK_LIMITS.headerText), emoji: true } },
  ];
  const prose = [view.summary, view.description].filter((text): text is string => !!text).join('\n\n');
  if (prose !== '') blocks.push(section(prose));
  if (view.group) blocks.push(section(`error group <${slackEscape(view.group.url)}|${slackEscape(view.group.id)}>`));
  blocks.push(fieldsSection(view.facts));
  if (view.labels.length > 0) blocks.push(fieldsSection(view.labels));
  if (view.sample) {
    const trace = view.traceId ? `\ntrace \`${view.traceId}\`` : '';
    blocks.push(section(`*${view.sample.type}* in ${view.sample.service}: ${view.sample.message}${trace}`));
  } else if (view.traceId) blocks.push(section(`trace \`${view.traceId}\``));
  if (view.stacktrace) blocks.push(section('```' + fitText(view.stacktrace, SLACK_LIMITS.sectionText - 6) + '```'));
  const colour = colourOf(notification);
  return {
    text: cutChars(`${view.title}${view.summary ? `: ${view.summary}` : ''}`, SLACK_LIMITS.sectionText),
    attachments: [{ color: colour, blocks }],
  };
}

/** Slack's mrkdwn control characters, so a URL or id cannot break out of its link. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '%7C');
}

export const createSlackNotifier: ChannelFactory<SlackConfig> = (config, { clock }) => {
  const secrets = [config.url];
  return {
    name: config.name,
    secrets,
    notify: (notification, signal) =>
      postJson({ url: config.url, body: JSON.stringify(slackBody(notification, config)), signal, secrets, clock }),
  };
};

/** The slack channel type: its keys (config.ts) and its notifier; listed in src/components.ts. */
export const slackChannel: ChannelType<SlackSettings, typeof SLACK_CHANNEL.fields> = {
  type: 'slack',
  fields: SLACK_CHANNEL.fields,
  settings: SLACK_CHANNEL.settings,
  create: createSlackNotifier,
};
