// pagerduty channel keys: routing_key (required, secret), url (the Events API v2 enqueue URL
// unless set), source; their defaults are PAGERDUTY_DEFAULTS below.

import { withDefault } from '../../config/schema.js';
import { httpUrl, nonEmptyText, secretText } from '../channel-values.js';

export const PAGERDUTY_DEFAULTS = { url: 'https://events.pagerduty.com/v2/enqueue', source: 'faultline' } as const;

export interface PagerDutySettings {
  readonly type: 'pagerduty';
  readonly routingKey: string;
  readonly url: string;
  readonly source: string;
}

export const PAGERDUTY_FIELDS = {
  routing_key: secretText,
  url: withDefault(httpUrl, PAGERDUTY_DEFAULTS.url),
  source: withDefault(nonEmptyText, PAGERDUTY_DEFAULTS.source),
};

export function pagerDutySettings(decoded: { routing_key: string; url: string; source: string }): PagerDutySettings {
  return { type: 'pagerduty', routingKey: decoded.routing_key, url: decoded.url, source: decoded.source };
}
