// email channel keys (defaults: EMAIL_DEFAULTS below): host, port, tls (starttls: upgrade required; implicit: TLS from the
// first byte, port 465; none: plain, for a local relay), username and password (empty: no
// authentication), from, to (one or more addresses).

import { list, withDefault } from '../../config/schema.js';
import { integer, oneOf } from '../../config/value-types.js';
import { nonEmptyText, optionalSecretText } from '../channel-values.js';

export const EMAIL_DEFAULTS = { port: 587, tls: 'starttls', username: '', password: '' } as const;

export interface EmailSettings {
  readonly type: 'email';
  readonly host: string;
  readonly port: number;
  readonly tls: 'starttls' | 'implicit' | 'none';
  readonly username: string;
  readonly password: string;
  readonly from: string;
  readonly to: readonly string[];
}

export const EMAIL_FIELDS = {
  host: nonEmptyText,
  port: withDefault(integer(1, 65535), EMAIL_DEFAULTS.port),
  tls: withDefault(oneOf(['starttls', 'implicit', 'none'] as const), EMAIL_DEFAULTS.tls),
  username: withDefault(optionalSecretText, EMAIL_DEFAULTS.username),
  password: withDefault(optionalSecretText, EMAIL_DEFAULTS.password),
  from: nonEmptyText,
  to: list(nonEmptyText, (items, path, problems) => {
    if (items.length === 0) problems.push({ path, message: 'expected at least one address' });
  }),
};

export function emailSettings(decoded: {
  host: string;
  port: number;
  tls: 'starttls' | 'implicit' | 'none';
  username: string;
  password: string;
  from: string;
  to: readonly string[];
}): EmailSettings {
  return { type: 'email', ...decoded };
}
