// Error messages → their shape, so `User 123 not found` and `User 456 not found` are one title and
// one fingerprint. The variable part becomes a placeholder, the constant part stays, after
// Sentry's parameterization (its test cases are in test/fixtures/grouping-corpus/): <url>,
// <email>, <traceparent>, <uuid>, <date> (ISO, RFC 822/850/1123, JavaScript, compact, kitchen),
// <timestamp> (a time of day), <duration>, <mac>, <ip>, <hostname>, <hex>, <bool> (as a value),
// <num>, <quoted>. Careful not to eat what is not a value: `Foo::bar`, `Class.method`, `utf8`,
// `x86_64`, `IPv4`, `9af` (hex needs 4 characters) stay; a quoted short identifier (a property
// name, a key, a type: `(reading 'map')`) stays, as it names the bug rather than the occurrence;
// a quoted single token keeps its quotes with its own values replaced.
// Version 1 of this (normalize-message-v1.ts) is frozen for computing old fingerprints.

/** Longer messages are cut before normalising: the head is what identifies an error. */
export const MAX_NORMALIZED_INPUT_CHARS = 1024;

const WEEKDAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:day|sday|nesday|rsday|urday)?';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}';

const URL = /\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s"'<>]+/gi;
const QUOTED_DOUBLE = /(^|[\s(\[{=:,])"([^"\n]{0,256})"(?=$|[\s)\]},.:;!?])/g;
const QUOTED_SINGLE = /(^|[\s(\[{=:,])'([^'\n]{0,256})'(?=$|[\s)\]},.:;!?])/g;
const QUOTED_CURLY = /([“‘])([^”’\n]{0,256})([”’])/g;
const EMAIL = /\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g;
/** W3C `traceparent` and AWS X-Ray trace ids. */
const TRACEPARENT = /\b00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}\b|\b1-[0-9a-f]{8}-[0-9a-f]{24}\b/gi;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
/** OpenStack Swift transaction ids. */
const SWIFT_TXN = /\btx[0-9a-f]{21}-[0-9a-f]{10}(?:-\w+)?\b/g;
const DATES: readonly RegExp[] = [
  // RFC 822, 850 and 1123: `Mon, 02 Jan 2006 15:04:05 MST`, `Monday, 02-Jan-06 15:04:05 MST`.
  new RegExp(`\\b${WEEKDAY}, \\d{1,2}[ -]${MONTH}[ -]\\d{2,4} \\d{1,2}:\\d{2}(?::\\d{2})?(?: (?:[A-Z]{1,5}|[+-]\\d{4}))?\\b`, 'g'),
  // JavaScript: `Mon Jan 02 2006 14:04:05 GMT-0800 (Pacific Standard Time)`.
  new RegExp(`\\b${WEEKDAY} ${MONTH} \\d{1,2} \\d{4} \\d{2}:\\d{2}:\\d{2}(?: GMT[+-]\\d{4}(?: \\([^)]{1,64}\\))?)?`, 'g'),
  // `Jan 18, 2019`, `Mon Jan 02, 1999`.
  new RegExp(`\\b(?:${WEEKDAY},? )?${MONTH} \\d{1,2}, \\d{4}\\b`, 'g'),
  // ISO 8601 and RFC 3339: `2006-01-02T15:04:05.999Z07:00`, `2024-01-15 10:30:00`.
  /\b\d{4}-(?:0\d|1[0-2])-(?:[0-2]\d|3[01])(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z(?:\d{2}:\d{2})?|[+-]\d{2}:?\d{2}\b)?)?\b/g,
  // Compact: `20060102T150405Z`, `20060102 150405+0100`, `20240220 11:55:33.546593`.
  /\b\d{8}[T ](?:\d{6}|\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:Z|[+-]\d{4})?(?![\w:])/g,
  // Python's repr: `datetime.datetime(2025, 6, 24, 18, 33, 0, 447640)`.
  /\bdatetime\.datetime\([\d, ]{1,64}\)/g,
  // Kitchen clock with AM/PM: `11:21PM`, `12:31:12 pm`.
  /\b\d{1,2}:\d{2}(?::\d{2})? ?[AaPp][Mm]\b/g,
];
const TIME_OF_DAY = /\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g;
const DURATION = /(?<![\w.])\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)\b/g;
const MAC = /(?<![\w:])[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}(?![\w:])/g;
const IPV4_MAPPED = /(?<![\w:])::ffff:(?:\d{1,3}\.){3}\d{1,3}\b/gi;
const IPV4 = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?![\w.]*\w)/g;
/** Candidates only: checked by isIpv6 so `Foo::bar` and `10:30` are left alone. */
const IPV6_CANDIDATE = /(?<![\w:])\[?[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}\]?(?::\d{1,5})?(?:\/\d{1,3})?(?![\w:])/g;
/** A host under a well-known top-level domain: `api.example.com` (so `main.py`, `Class.method` stay). */
const HOSTNAME =
  /(?<![\w.@-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|net|org|io|dev|co|ai|cloud|info|biz|us|uk|de|fr|nl|eu|jp|cn|ru|br|ca|au|local|internal|localdomain)(?![\w.-]*\w)/gi;
const HEX_PREFIXED = /\b0x[0-9a-f]+\b/gi;
/** A content hash in a file name: `main.a1b2.js`, `bundle_a1b2c3.js`, `chunk-3f9a8b7c.css`. */
const FILE_HASH = /([._-])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{4,}(?=\.[a-z]{2,4}\b)/gi;
/** Hex of 4+ characters with a digit and a letter (git SHAs, ids), or 8+ hex letters (`deadbeef`). */
const HEX_RUN = /(?<![\w])(?:(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{4,}|(?=[0-9a-f]*[a-f])[0-9a-f]{8,})(?![\w])/gi;
/** `a=false`, `enabled: True`: a boolean given as a value. */
const BOOLEAN = /([=:] ?)(?:true|false|True|False|TRUE|FALSE)\b/g;
/** An id glued to a name by `_` (`user_8412`, `order_1001`): 3+ digits, so `x86_64` stays. */
const SNAKE_ID = /(?<=[A-Za-z]_)\d{3,}(?![\w])/g;
/** A number, but not the digits that start a short hex word (`9af`) or end a name (`utf8`). */
const NUMBER = /(?<![A-Za-z0-9_])-?\d+(?:[.,]\d+)*(?![\d])(?![0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b)/g;

export function normalizeMessage(message: string): string {
  let text = message.length > MAX_NORMALIZED_INPUT_CHARS ? message.slice(0, MAX_NORMALIZED_INPUT_CHARS) : message;
  text = text.trim();
  if (text === '') return '';
  text = text.replace(URL, '<url>');
  text = text.replace(QUOTED_DOUBLE, keepNames).replace(QUOTED_SINGLE, keepNames);
  text = text.replace(QUOTED_CURLY, (whole, open: string, inner: string, close: string) => (isKeptQuote(inner) ? `${open}${inner}${close}` : '<quoted>'));
  text = text.replace(EMAIL, '<email>');
  text = text.replace(TRACEPARENT, '<traceparent>').replace(UUID, '<uuid>').replace(SWIFT_TXN, '<swift_txn_id>');
  for (const date of DATES) text = text.replace(date, '<date>');
  text = text.replace(MAC, '<mac>');
  text = text.replace(IPV4_MAPPED, '<ip>').replace(IPV4, '<ip>');
  text = text.replace(IPV6_CANDIDATE, (candidate) => (isIpv6(candidate) ? '<ip>' : candidate));
  text = text.replace(TIME_OF_DAY, '<timestamp>');
  text = text.replace(HOSTNAME, '<hostname>');
  text = text.replace(DURATION, '<duration>');
  text = text.replace(HEX_PREFIXED, '<hex>').replace(FILE_HASH, '$1<hex>').replace(HEX_RUN, '<hex>');
  text = text.replace(BOOLEAN, '$1<bool>');
  text = text.replace(SNAKE_ID, '<num>').replace(NUMBER, '<num>');
  return text;
}

/** A quoted name or single token stays in its quotes (values in it are replaced later); quoted prose goes. */
function keepNames(whole: string, before: string, inner: string): string {
  return isKeptQuote(inner) ? whole : `${before}<quoted>`;
}

function isKeptQuote(inner: string): boolean {
  return inner !== '' && inner.length <= 64 && !/\s/.test(inner);
}

function isIpv6(candidate: string): boolean {
  const address = candidate.replace(/^\[/, '').replace(/\/\d{1,3}$/, '').replace(/\](?::\d+)?$/, '');
  const doubleColons = address.split('::').length - 1;
  if (doubleColons > 1) return false;
  const groups = address.split(':');
  if (doubleColons === 0 && groups.length !== 8) return false;
  if (!/\d/.test(address) && address !== '::') return false;
  return groups.every((group) => /^[0-9A-Fa-f]{0,4}$/.test(group));
}
