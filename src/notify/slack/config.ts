// slack channel keys: url (the incoming-webhook URL, itself a secret).

import { httpUrl } from '../channel-values.js';

export interface SlackSettings {
  readonly type: 'slack';
  readonly url: string;
}

export const SLACK_FIELDS = { url: httpUrl };

export function slackSettings(decoded: { url: string }): SlackSettings {
  return { type: 'slack', url: decoded.url };
}
