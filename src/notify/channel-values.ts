// Value types the channel schemas share. Channel URLs, keys and passwords are secrets (a Slack or
// Discord webhook URL is its own credential), so their problems never repeat the value.

import { describe, INVALID, scalar, type Type } from '../config/schema.js';

/** Like scalar(), but a wrong string reads "got a string" instead of echoing it. */
function secretScalar<T>(expected: string, convert: (value: unknown) => T | undefined): Type<T> {
  return {
    decode(value, path, problems) {
      const converted = value === undefined || value === null ? undefined : convert(value);
      if (converted !== undefined) return converted;
      const got = typeof value === 'string' ? (value === '' ? 'an empty string' : 'a string that is not one') : describe(value);
      problems.push({ path, message: `expected ${expected}, got ${got}` });
      return INVALID;
    },
    keyPaths: (path) => [path],
  };
}

/** An http(s) URL. */
export const httpUrl: Type<string> = secretScalar('an http(s) URL', (value) => {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  return /^https?:$/.test(new URL(value).protocol) ? value : undefined;
});

/** A non-empty secret string (keys, passwords, HMAC secrets). */
export const secretText: Type<string> = secretScalar('a non-empty string', (value) =>
  typeof value === 'string' && value !== '' ? value : undefined,
);

/** A secret that may be empty (no authentication). */
export const optionalSecretText: Type<string> = secretScalar('a string', (value) =>
  typeof value === 'string' ? value : undefined,
);

export const nonEmptyText: Type<string> = scalar('a non-empty string', (value) =>
  typeof value === 'string' && value !== '' ? value : undefined,
);
