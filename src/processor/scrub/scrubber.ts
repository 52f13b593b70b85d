// Finds secrets and personal data in text and attribute keys. All built-in detectors are joined
// into one case-insensitive regex, so a field is scanned once; candidates a regex cannot judge
// (Luhn for cards, base64 for Basic auth, IPv6 syntax, the mixed case of a bare AWS secret key) are checked in the
// replacer and left as they were when they fail. Every quantifier that can start inside a word is
// bounded or anchored by a lookbehind, so a long token-like run costs linear time, not quadratic.
// User patterns run after, one pass each (their own groups and flags stay theirs).

import { isIPv6 } from 'node:net';
import type { ScrubProcessorConfig } from './config.js';

export const SCRUB_KINDS = [
  'attribute_key',
  'bearer_token',
  'basic_auth',
  'jwt',
  'known_token',
  'key_value',
  'url_credentials',
  'credit_card',
  'email',
  'ip_address',
  'pattern',
] as const;
export type ScrubKind = (typeof SCRUB_KINDS)[number];
export type ScrubCounts = Record<ScrubKind, number>;

export const REDACTED = '[redacted]';

export function emptyCounts(): ScrubCounts {
  return Object.fromEntries(SCRUB_KINDS.map((kind) => [kind, 0])) as ScrubCounts;
}

export interface Scrubber {
  /** `text` with every finding replaced, counted into `counts`; the same string when none. */
  text(text: string, counts: ScrubCounts): string;
  /** Whether an attribute's value is a secret by its key alone (`db.password`, `X-Api-Key`). */
  isSecretKey(key: string): boolean;
}

type Groups = Record<string, string | undefined>;

interface Detector {
  readonly kind: ScrubKind;
  readonly regex: RegExp;
  /** A cheap test (a substring search) that must pass before the regex runs at all. */
  readonly worthScanning?: (text: string) => boolean;
  /** The replacement of the match, or null when the candidate is not what it looked like. */
  replace(match: string, groups: Groups): string | null;
}

const ESCAPE = /[.*+?^${}()|[\]\\/-]/g;

export function createScrubber(config: ScrubProcessorConfig): Scrubber {
  // Keywords as written, so the engine can skip to their letters; a separator written in a key
  // matches any separator or none (`api_key` finds `apiKey`, `API-KEY`, `api.key`).
  const keywords = [...new Set(config.keys.map((key) => key.toLowerCase()))]
    .map((key) => key.split(/[-_.\s]+/).map((part) => part.replace(ESCAPE, '\\$&')).join('[-_.]?'))
    .join('|');
  // With no keys, no key is secret (an empty alternation would match every key).
  const secretKey = keywords === '' ? null : new RegExp(keywords, 'i');
  const detectors = builtInDetectors(config, keywords);
  const patterns = config.patterns.map((source) => new RegExp(source, 'g'));

  return {
    isSecretKey: (key) => secretKey !== null && secretKey.test(key),
    text(text, counts) {
      if (text === '') return text;
      let result = text;
      for (const detector of detectors) {
        if (detector.worthScanning !== undefined && !detector.worthScanning(result)) continue;
        result = result.replace(detector.regex, (match: string, ...rest: unknown[]) => {
          const replacement = detector.replace(match, rest[rest.length - 1] as Groups);
          if (replacement === null) return match;
          counts[detector.kind]++;
          return replacement;
        });
      }
      for (const pattern of patterns) {
        result = result.replace(pattern, (match: string) => {
          if (match === '') return match;
          counts.pattern++;
          return REDACTED;
        });
      }
      return result;
    },
  };
}

/**
 * One regex per detector, run in this order (earlier ones win where they overlap: a key=value pair
 * takes its whole `Bearer …` value, URL credentials go before an e-mail could match `pass@host`).
 * Separate passes measured about twice as fast as one alternation of them all, because each regex
 * starts with a literal or a small class the engine can skip to, and most are skipped outright
 * by a substring test.
 */
function builtInDetectors(config: ScrubProcessorConfig, keywords: string): Detector[] {
  const detectors: Detector[] = [];
  const on = (enabled: boolean, kind: ScrubKind, detector: Omit<Detector, 'kind'>) =>
    enabled && detectors.push({ kind, ...detector });
  const has = (needle: string) => (text: string) => text.includes(needle);

  on(config.knownTokens, 'known_token', {
    regex: /-----BEGIN[A-Z ]{0,40}PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z ]{0,40}PRIVATE KEY-----|$)/g,
    worthScanning: has('PRIVATE KEY-----'),
    replace: () => REDACTED,
  });
  on(config.urlCredentials, 'url_credentials', {
    regex: /(?<=[a-z0-9+.-]):\/\/[^\s:/?#@[\]"'<>]{0,256}:[^\s/?#@[\]"'<>]{1,256}@/gi,
    worthScanning: (text) => text.includes('://') && text.includes('@'),
    replace: () => `://${REDACTED}@`,
  });
  on(config.keyValuePairs && keywords !== '', 'key_value', {
    // Starts at the key's keyword: whatever precedes it in the key (`DATABASE_`, a quote) stays.
    regex: new RegExp(
      `(?<kvKey>(?:${keywords})[a-z0-9_.-]{0,30}(?:\\\\?["'])?[ \\t]{0,3}[:=][ \\t]{0,3})` +
        `(?<kvValue>\\\\"[^"\\n]{0,1000}"|"[^"\\n]{0,1000}"|'[^'\\n]{0,1000}'|` +
        `(?:(?:bearer|basic|token|digest)[ \\t]+)?[^\\s&,;"'<>(){}\\[\\]\\\\]{1,2000})`,
      'gi',
    ),
    worthScanning: (text) => text.includes('=') || text.includes(':'),
    replace: (_match, groups) => `${groups.kvKey}${quoted(groups.kvValue!)}`,
  });
  on(config.bearerTokens, 'bearer_token', {
    regex: /(?<scheme>\bbearer[ \t]+)(?<token>[a-z0-9._~+/-]{8,4096}=*)/gi,
    worthScanning: (text) => text.length >= 15 && hasBlank(text),
    // "Bearer authentication failed" is prose; a token has a digit or is long.
    replace: (_match, groups) =>
      /\d/.test(groups.token!) || groups.token!.length >= 32 ? `${groups.scheme}${REDACTED}` : null,
  });
  on(config.basicAuth, 'basic_auth', {
    regex: /(?<scheme>\bbasic[ \t]+)(?<credential>[a-z0-9+/]{6,4096}={0,2})(?![a-z0-9+/=])/gi,
    worthScanning: (text) => text.length >= 12 && hasBlank(text),
    replace: (_match, groups) => (isBasicCredential(groups.credential!) ? `${groups.scheme}${REDACTED}` : null),
  });
  on(config.jwts, 'jwt', {
    regex: /\beyJ[a-zA-Z0-9_-]{4,8192}\.eyJ[a-zA-Z0-9_-]{4,8192}\.[a-zA-Z0-9_-]{0,8192}/g,
    worthScanning: has('eyJ'),
    replace: () => REDACTED,
  });
  on(config.knownTokens, 'known_token', {
    // A bare AWS secret access key is 40 base64 characters, like much else; only near `aws`,
    // `secret` or an access key id (before that is redacted below) is it taken for one, as
    // gitleaks does. Mixed case and a digit or `/` or `+`: a lower-case hex SHA-1 is not one.
    regex:
      /(?<context>(?:aws|secret)[^\r\n]{0,40}?|(?<![a-z0-9])a[ks]ia[a-z0-9]{16}[^a-z0-9/+\r\n]{1,5})(?<![a-z0-9/+])(?<key>[a-z0-9/+]{40})(?![a-z0-9/+=])/gi,
    worthScanning: (text) => text.length >= 40 && AWS_CONTEXT.test(text),
    replace: (_match, groups) => (isAwsSecretKey(groups.key!) ? `${groups.context}${REDACTED}` : null),
  });
  on(config.knownTokens, 'known_token', {
    // Case-sensitive, as the issuers write them: AKIA… upper case, ghp_… lower case. Each format
    // starts with its own literal prefix (shapes as in gitleaks' rules, regexes our own); only the
    // Azure key name is kept, so a connection string still reads.
    regex: new RegExp(
      '(?:(?<![A-Za-z0-9])(?:(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}|gh[pousr]_[A-Za-z0-9]{36,255}|' +
        'github_pat_\\w{22,255}|glpat-[\\w-]{20,255}|xox[abeprs]-[A-Za-z0-9-]{10,255}|' +
        '[sr]k_(?:live|test)_[A-Za-z0-9]{16,255}|AIza[\\w-]{35}|npm_[A-Za-z0-9]{36}|' +
        'SG\\.[\\w-]{22}\\.[\\w-]{43}|hooks\\.slack\\.com/services/[\\w/-]{10,255}|' +
        'sk-(?:proj|svcacct|admin)-[\\w-]{20,300}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|' +
        'sk-ant-[a-z]{3,8}\\d{2}-[\\w-]{20,300}|SK[0-9a-fA-F]{32}|key-[0-9a-f]{32}|' +
        'shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}|do[opr]_v1_[a-f0-9]{64}|hv[sb]\\.[\\w-]{24,300}|' +
        'pypi-AgE[\\w-]{50,1000}|dckr_(?:pat|oat)_[\\w-]{27,64}|(?:hf|api_org)_[A-Za-z]{34}|' +
        '(?<keep>(?:Account|SharedAccess)Key=)[A-Za-z0-9+/]{20,200}={0,2}|' +
        'discord(?:app)?\\.com/api/webhooks/\\d{5,30}/[\\w-]{20,255}|' +
        'glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2}|' +
        'AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})|' +
        // A Telegram bot token follows `bot` in its API URLs: /bot123456789:AA…/sendMessage.
        '(?<![0-9])[0-9]{5,16}:A[\\w-]{34})(?![A-Za-z0-9])',
      'g',
    ),
    // The shortest, `xox?-` and ten more, is 15 characters.
    worthScanning: (text) => text.length >= 15,
    replace: (_match, groups) => `${groups.keep ?? ''}${REDACTED}`,
  });
  on(config.emails, 'email', {
    // `%40` is `@` percent-encoded, as in `/users/frank%40example.org` or `?email=a%2Bb%40c.org`.
    regex: /(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}(?:@|%40)(?:[a-z0-9-]{1,63}\.){1,10}[a-z]{2,24}(?![a-z0-9-])/gi,
    worthScanning: (text) => text.includes('@') || text.includes('%40'),
    replace: () => '[email]',
  });
  on(config.creditCards, 'credit_card', {
    regex: /(?<![\w.-])\d(?:[ -]?\d){12,18}(?!\w|[.-]\d)/g,
    worthScanning: hasDigitRun,
    replace: (match) => (isCardNumber(match) ? '[card]' : null),
  });
  on(config.ipAddresses, 'ip_address', {
    regex: /(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]{1,4})?(?![\w:])/gi,
    // A compressed address has `::`; a full one has seven colons in a row of groups.
    worthScanning: (text) => text.includes('::') || FULL_IPV6.test(text),
    replace: (match) => (isAddressV6(match) ? '[ip]' : null),
  });
  on(config.ipAddresses, 'ip_address', {
    // Not `v1.2.3.4`, `version 1.2.3.4` or a dotted run of five or more numbers (an OID).
    regex:
      /(?<![\w.])(?<![Vv]ersion[ :=]{1,3})(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\w)/g,
    worthScanning: hasThreeDigitDots,
    replace: () => '[ip]',
  });
  return detectors;
}

// The checks below are necessary conditions of their detector's regex, written as plain loops so
// that most short attribute values skip the regex passes.

const isDigitCode = (code: number) => code >= 48 && code <= 57;

/** A space or a tab: what follows `Bearer` and `Basic`. */
function hasBlank(text: string): boolean {
  return text.includes(' ') || text.includes('\t');
}

/** At least three `<digit>.<digit>`: what a dotted quad needs. */
function hasThreeDigitDots(text: string): boolean {
  let found = 0;
  for (let dot = text.indexOf('.', 1); dot >= 0 && dot < text.length - 1; dot = text.indexOf('.', dot + 1)) {
    if (isDigitCode(text.charCodeAt(dot - 1)) && isDigitCode(text.charCodeAt(dot + 1)) && ++found >= 3) return true;
  }
  return false;
}

/** Whether `text` holds 13 digits in a row, single spaces or dashes allowed between them: what a card number needs. */
function hasDigitRun(text: string): boolean {
  let digits = 0;
  let afterDigit = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isDigitCode(code)) {
      if (++digits >= 13) return true;
      afterDigit = true;
    } else if ((code === 32 || code === 45) && afterDigit) {
      afterDigit = false;
    } else {
      digits = 0;
      afterDigit = false;
    }
  }
  return false;
}

const AWS_CONTEXT = /aws|secret|A[KS]IA/i;

/** 40 base64 characters of both cases with a digit, `/` or `+`: how a random AWS secret key looks. */
function isAwsSecretKey(key: string): boolean {
  return /[a-z]/.test(key) && /[A-Z]/.test(key) && /[0-9/+]/.test(key);
}

// Seven colons around six groups; starting at a literal colon keeps this test cheap.
const FULL_IPV6 = /:[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}:/;

/** Keeps the value's quoting so JSON and query strings stay well-formed. */
function quoted(value: string): string {
  if (value.startsWith('\\"')) return `\\"${REDACTED}\\"`;
  if (value.startsWith('"')) return `"${REDACTED}"`;
  if (value.startsWith("'")) return `'${REDACTED}'`;
  return REDACTED;
}

/** `Basic <base64 of user:password>`: printable text with a colon. */
function isBasicCredential(value: string): boolean {
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded);
}

/** 13–19 digits, a card network's first digit (2–6), and a valid Luhn check digit. */
export function isCardNumber(text: string): boolean {
  const digits = text.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19 || !/^[2-6]/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * A valid IPv6 address with a digit and at least three groups, so `::1`, `fe80::1`, Python's
 * `a[::2]` and `Dead::Beef` namespaces are kept (loopback and link-local are not personal data).
 */
function isAddressV6(text: string): boolean {
  if (!isIPv6(text) || !/\d/.test(text)) return false;
  const groups = text.split(':').filter((group) => group !== '');
  const count = groups.length + (groups.at(-1)?.includes('.') ? 1 : 0);
  return count >= 3;
}
