// service.telemetry.metrics.auth: who may use the admin endpoint (the UI, /api/v1/*, and, when
// asked, /metrics and /health*). src/admin/auth.ts enforces it; docs/config.md lists the keys.
//
//   auth:
//     bearer_tokens:                 # Authorization: Bearer <token> (scripts, CI, curl)
//       - { token: "${env:FAULTLINE_READ_TOKEN}", access: read }
//       - { token: "${env:FAULTLINE_ADMIN_TOKEN}", access: write }
//     basic_auth:                    # Authorization: Basic (browsers); hashes from `faultline hash-password`
//       - { username: alice, password_hash: "scrypt$32768$8$1$<salt>$<hash>", access: write }
//     protect_metrics: false         # true: /metrics needs read access as well
//     protect_health: false          # true: /health, /health/live and /health/ready need it as well
//
// No tokens and no users (the default): no authentication. `read` may GET and HEAD; `write` may
// use every method. A secret's value never appears in a problem's message.

import { INVALID, list, map, object, withDefault, type ConfigProblem, type Type } from './schema.js';
import { boolean, oneOf } from './value-types.js';

export type AdminAccess = 'read' | 'write';

export interface AdminToken {
  readonly token: string;
  readonly access: AdminAccess;
}

export interface AdminUser {
  readonly username: string;
  /** `scrypt$N$r$p$<salt>$<hash>` (PASSWORD_HASH below), never the password itself. */
  readonly passwordHash: string;
  readonly access: AdminAccess;
}

export interface AdminAuthConfig {
  readonly bearerTokens: readonly AdminToken[];
  readonly users: readonly AdminUser[];
  /** Whether /metrics needs read access (false: open, as Prometheus scrapers expect). */
  readonly protectMetrics: boolean;
  /** Whether /health* needs read access (false: open, as kubelet probes expect). */
  readonly protectHealth: boolean;
}

export const ADMIN_AUTH_DEFAULTS: AdminAuthConfig = { bearerTokens: [], users: [], protectMetrics: false, protectHealth: false };

export const MIN_TOKEN_LENGTH = 16;

/** scrypt$N$r$p$salt$hash, salt and hash in unpadded base64url; what `faultline hash-password` prints. */
const PASSWORD_HASH = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{22,})\$([A-Za-z0-9_-]{43,})$/;

export interface PasswordHashParts {
  readonly cost: number;
  readonly blockSize: number;
  readonly parallelization: number;
  readonly salt: string;
  readonly hash: string;
}

/** The parts of a well-formed hash with parameters a server can afford to check; undefined otherwise. */
export function parsePasswordHash(text: string): PasswordHashParts | undefined {
  const match = PASSWORD_HASH.exec(text);
  if (match === null) return undefined;
  const [cost, blockSize, parallelization] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const powerOfTwo = (cost & (cost - 1)) === 0;
  if (!powerOfTwo || cost < 2 ** 10 || cost > 2 ** 20 || blockSize < 1 || blockSize > 32 || parallelization < 1 || parallelization > 16) return undefined;
  return { cost, blockSize, parallelization, salt: match[4]!, hash: match[5]! };
}

/** A secret string: a problem says what was expected, never what was given. */
function secret(expected: string, accepts: (value: string) => boolean, whyNot: (value: string) => string): Type<string> {
  return {
    decode(value, path, problems) {
      if (typeof value === 'string' && accepts(value)) return value;
      const given = typeof value === 'string' ? whyNot(value) : `a ${value === null || value === undefined ? 'missing value' : typeof value}`;
      problems.push({ path, message: `expected ${expected}, got ${given} (the value is not shown)` });
      return INVALID;
    },
    keyPaths: (path) => [path],
  };
}

const token = secret(
  `a token of at least ${MIN_TOKEN_LENGTH} characters, e.g. "\${env:FAULTLINE_ADMIN_TOKEN}" set to \`openssl rand -hex 32\``,
  (value) => value.trim().length >= MIN_TOKEN_LENGTH && value === value.trim(),
  (value) => (value === '' ? 'an empty string (is its environment variable set?)' : value !== value.trim() ? 'a token with spaces around it' : `${value.length} characters`),
);

const passwordHash = secret(
  'a password hash made by `faultline hash-password` (scrypt$N$r$p$salt$hash)',
  (value) => parsePasswordHash(value) !== undefined,
  (value) =>
    value.startsWith('scrypt$')
      ? 'a malformed scrypt hash (N a power of 2 from 1024 to 1048576, r 1–32, p 1–16, a salt of 16 bytes or more, a hash of 32 bytes or more)'
      : 'what looks like a plain-text password: put only its hash in the config',
);

const username: Type<string> = {
  decode(value, path, problems) {
    if (typeof value === 'string' && value !== '' && !value.includes(':') && value.trim() === value) return value;
    problems.push({ path, message: 'expected a user name without ":" or spaces around it (Basic auth sends user:password)' });
    return INVALID;
  },
  keyPaths: (path) => [path],
};

const ACCESS = ['read', 'write'] as const;
const access = oneOf(ACCESS);

const tokenEntry: Type<AdminToken> = object({ token, access });

const userEntry: Type<AdminUser> = map(object({ username, password_hash: passwordHash, access }), (d) => ({
  username: d.username,
  passwordHash: d.password_hash,
  access: d.access,
}));

function uniqueBy<T>(key: (item: T) => string, what: string) {
  return (items: readonly T[], path: string, problems: ConfigProblem[]) => {
    const first = new Map<string, number>();
    items.forEach((item, index) => {
      const earlier = first.get(key(item));
      if (earlier !== undefined) problems.push({ path: `${path}[${index}]`, message: `the same ${what} as ${path}[${earlier}]` });
      else first.set(key(item), index);
    });
  };
}

export const adminAuthType: Type<AdminAuthConfig> = map(
  object({
    bearer_tokens: withDefault(list(tokenEntry, uniqueBy((entry) => entry.token, 'token')), ADMIN_AUTH_DEFAULTS.bearerTokens),
    basic_auth: withDefault(list(userEntry, uniqueBy((entry) => entry.username, 'username')), ADMIN_AUTH_DEFAULTS.users),
    protect_metrics: withDefault(boolean, ADMIN_AUTH_DEFAULTS.protectMetrics),
    protect_health: withDefault(boolean, ADMIN_AUTH_DEFAULTS.protectHealth),
  }),
  (d) => ({ bearerTokens: d.bearer_tokens, users: d.basic_auth, protectMetrics: d.protect_metrics, protectHealth: d.protect_health }),
);

/** Whether any credential is configured: without one, the admin endpoint is open. */
export function authEnabled(auth: AdminAuthConfig): boolean {
  return auth.bearerTokens.length > 0 || auth.users.length > 0;
}
