// The `scrub` processor's keys (processors.scrub[/name]) and defaults. Scrubbing is on by default:
// IMPLICIT_SCRUB runs first in every traces and logs pipeline that lists no scrub processor.

import { list, map, object, scalar, withDefault, type Type, type ComponentType } from '../../config/schema.js';
import { boolean, integer } from '../../config/value-types.js';
import { regexSource } from '../filter/regex-value.js';

export interface ScrubProcessorConfig {
  readonly type: 'scrub';
  readonly id: string;
  /** False: events pass untouched (a pipeline's explicit opt-out). */
  readonly enabled: boolean;
  /** Attribute keys (and keys of key=value pairs in text) whose values are secrets: `keys` + `extra_keys`. */
  readonly keys: readonly string[];
  readonly bearerTokens: boolean;
  readonly basicAuth: boolean;
  readonly jwts: boolean;
  /** AWS access key ids, GitHub/GitLab/Slack/Stripe/Google/npm/SendGrid tokens, PEM private keys. */
  readonly knownTokens: boolean;
  readonly keyValuePairs: boolean;
  readonly urlCredentials: boolean;
  readonly creditCards: boolean;
  readonly emails: boolean;
  readonly ipAddresses: boolean;
  /** User regexes (validated sources); each match becomes `[redacted]`. */
  readonly patterns: readonly string[];
  /** Most stack traces whose scrubbed form is cached. 0 turns the cache off. */
  readonly cacheSize: number;
}

export const SCRUB_DEFAULTS: Omit<ScrubProcessorConfig, 'id' | 'type'> = {
  enabled: true,
  keys: [
    'password',
    'passwd',
    'pwd',
    'passphrase',
    'secret',
    'token',
    'authorization',
    'cookie',
    'api_key',
    'access_key',
    'private_key',
    'session',
    'credential',
    'signature',
  ],
  bearerTokens: true,
  basicAuth: true,
  jwts: true,
  knownTokens: true,
  keyValuePairs: true,
  urlCredentials: true,
  creditCards: true,
  emails: true,
  ipAddresses: true,
  patterns: [],
  cacheSize: 2048,
};

/**
 * The scrub stage of pipelines that list none. Its id cannot be written in a config (a type has
 * no dot), so it never collides with a configured processor; it is the `processor` label value.
 */
export const IMPLICIT_SCRUB: ScrubProcessorConfig = { type: 'scrub', id: 'implicit.scrub', ...SCRUB_DEFAULTS };

/** How keys compare: case and the separators `-`, `_`, `.` and spaces ignored. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}

const secretKey: Type<string> = scalar('a key of at least 3 letters or digits', (value) =>
  typeof value === 'string' && /^[a-z0-9]{3,}$/.test(normalizeKey(value)) ? value : undefined,
);

const flag = (fallback: boolean) => withDefault(boolean, fallback);

export const scrubProcessorType: ComponentType<ScrubProcessorConfig> = map(
  object({
    enabled: flag(SCRUB_DEFAULTS.enabled),
    keys: withDefault(list(secretKey), SCRUB_DEFAULTS.keys),
    extra_keys: withDefault(list(secretKey), []),
    bearer_tokens: flag(SCRUB_DEFAULTS.bearerTokens),
    basic_auth: flag(SCRUB_DEFAULTS.basicAuth),
    jwts: flag(SCRUB_DEFAULTS.jwts),
    known_tokens: flag(SCRUB_DEFAULTS.knownTokens),
    key_value_pairs: flag(SCRUB_DEFAULTS.keyValuePairs),
    url_credentials: flag(SCRUB_DEFAULTS.urlCredentials),
    credit_cards: flag(SCRUB_DEFAULTS.creditCards),
    emails: flag(SCRUB_DEFAULTS.emails),
    ip_addresses: flag(SCRUB_DEFAULTS.ipAddresses),
    patterns: withDefault(list(regexSource), SCRUB_DEFAULTS.patterns),
    cache_size: withDefault(integer(0), SCRUB_DEFAULTS.cacheSize),
  }),
  (d) =>
    (id: string): ScrubProcessorConfig => ({
      type: 'scrub',
      id,
      enabled: d.enabled,
      keys: [...new Set([...d.keys, ...d.extra_keys])],
      bearerTokens: d.bearer_tokens,
      basicAuth: d.basic_auth,
      jwts: d.jwts,
      knownTokens: d.known_tokens,
      keyValuePairs: d.key_value_pairs,
      urlCredentials: d.url_credentials,
      creditCards: d.credit_cards,
      emails: d.emails,
      ipAddresses: d.ip_addresses,
      patterns: d.patterns,
      cacheSize: d.cache_size,
    }),
);
