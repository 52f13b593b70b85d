// Message normalisation as FINGERPRINT_VERSION 1 did it, frozen: the group store computes version-1
// fingerprints with it so groups made before an upgrade keep their ids (see fingerprint.ts,
// legacyFingerprint). Never change it; change normalize-message.ts instead.

/** Longer messages are cut before normalising: the head is what identifies an error. */
const MAX_NORMALIZED_INPUT_CHARS = 1024;

const QUOTED_DOUBLE = /(^|[\s(\[{=:,])"[^"\n]{0,256}"(?=$|[\s)\]},.:;!?])/g;
const QUOTED_SINGLE = /(^|[\s(\[{=:,])'[^'\n]{0,256}'(?=$|[\s)\]},.:;!?])/g;
const QUOTED_CURLY = /[“‘][^”’\n]{0,256}[”’]/g;
const ISO_TIMESTAMP =
  /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2}\b)?)?\b/g;
const HTTP_DATE = /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (?:GMT|UTC)\b/g;
const TIME_OF_DAY = /\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const EMAIL = /\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g;
/** A URL path segment that mixes letters and digits (`/files/aGk3xZ9q`) is an id. */
const URL = /\bhttps?:\/\/[^\s"'<>]+/g;
const IPV4 = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?![\w.]*\w)/g;
/** Candidates only: checked by isIpv6 so `Foo::bar` and `10:30` are left alone. */
const IPV6_CANDIDATE = /(?<![\w:])\[?[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}\]?(?::\d{1,5})?(?![\w:])/g;
const MAC = /(?<![\w:])[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}(?![\w:])/g;
const HEX_PREFIXED = /\b0x[0-9a-f]+\b/gi;
/** 8+ hex characters with at least one digit and one letter (all digits is a number). */
const HEX_RUN = /(?<![\w-])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}(?![\w-])/gi;
/** A content hash in a file name: `main.a1b2.js`, `bundle_a1b2c3.js`, `chunk-3f9a8b7c.css`. */
const FILE_HASH = /([._-])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{4,}(?=\.[a-z]{2,4}\b)/gi;
const NUMBER = /(?<![A-Za-z0-9_])-?\d+(?:[.,]\d+)*(?!\d)/g;

export function normalizeMessageV1(message: string): string {
  let text = message.length > MAX_NORMALIZED_INPUT_CHARS ? message.slice(0, MAX_NORMALIZED_INPUT_CHARS) : message;
  text = text.trim();
  if (text === '') return '';
  text = text.replace(URL, normalizeUrl);
  text = text.replace(QUOTED_DOUBLE, '$1<quoted>').replace(QUOTED_SINGLE, '$1<quoted>').replace(QUOTED_CURLY, '<quoted>');
  text = text.replace(HTTP_DATE, '<timestamp>').replace(ISO_TIMESTAMP, '<timestamp>');
  text = text.replace(UUID, '<uuid>');
  text = text.replace(EMAIL, '<email>');
  text = text.replace(MAC, '<mac>');
  text = text.replace(IPV4, '<ip>');
  text = text.replace(IPV6_CANDIDATE, (candidate) => (isIpv6(candidate) ? '<ip>' : candidate));
  text = text.replace(TIME_OF_DAY, '<timestamp>');
  text = text.replace(HEX_PREFIXED, '<hex>').replace(FILE_HASH, '$1<hex>').replace(HEX_RUN, '<hex>');
  text = text.replace(NUMBER, '<num>');
  return text;
}

/** Keeps scheme, host and the path's words; ids in the path and the query's values go. */
function normalizeUrl(url: string): string {
  const trailing = /[.,;:!?)\]]+$/.exec(url)?.[0] ?? '';
  const bare = trailing === '' ? url : url.slice(0, -trailing.length);
  const queryAt = bare.search(/[?#]/);
  const path = queryAt < 0 ? bare : bare.slice(0, queryAt);
  const query = queryAt < 0 ? '' : bare.slice(queryAt);
  const schemeEnd = path.indexOf('//') + 2;
  const slash = path.indexOf('/', schemeEnd);
  const origin = slash < 0 ? path : path.slice(0, slash);
  const segments = slash < 0 ? '' : path.slice(slash);
  const normalized = segments.replace(/\/([^/]+)/g, (whole, segment: string) =>
    /\d/.test(segment) && /[A-Za-z]/.test(segment) && segment.length >= 8 && !/[._-]/.test(segment)
      ? '/<id>'
      : whole,
  );
  const queryShape = query === '' ? '' : query.replace(/=([^&#]*)/g, '=<value>');
  return `${origin}${normalized}${queryShape}${trailing}`;
}

function isIpv6(candidate: string): boolean {
  const address = candidate.replace(/^\[/, '').replace(/\](?::\d+)?$/, '');
  const doubleColons = address.split('::').length - 1;
  if (doubleColons > 1) return false;
  const groups = address.split(':');
  if (doubleColons === 0 && groups.length !== 8) return false;
  if (!/\d/.test(address) && address !== '::') return false;
  return groups.every((group) => /^[0-9A-Fa-f]{0,4}$/.test(group));
}
