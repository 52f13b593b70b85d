// slack channel keys: url (the incoming-webhook URL, itself a secret).

import { urlChannel, type UrlChannelSettings } from '../url-channel.js';

export type SlackSettings = UrlChannelSettings<'slack'>;
export const SLACK_CHANNEL = urlChannel('slack');
