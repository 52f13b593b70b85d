// webhook channel keys: url (required), secrets (HMAC-SHA256 signing secrets; two during a
// rotation, none: unsigned).

import { list, withDefault } from '../../config/schema.js';
import { httpUrl, secretText } from '../channel-values.js';

export interface WebhookSettings {
  readonly type: 'webhook';
  readonly url: string;
  /** Each active secret signs the body; receivers accept any one. Empty: no signature header. */
  readonly secrets: readonly string[];
}

export const WEBHOOK_FIELDS = {
  url: httpUrl,
  secrets: withDefault(
    list(secretText, (items, path, problems) => {
      if (items.length > 2) problems.push({ path, message: 'expected at most two secrets (the current and the next)' });
    }),
    [],
  ),
};

export function webhookSettings(decoded: { url: string; secrets: readonly string[] }): WebhookSettings {
  return { type: 'webhook', url: decoded.url, secrets: decoded.secrets };
}
