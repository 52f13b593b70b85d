// How deep JSON text nests, measured over its bytes before JSON.parse builds anything: a 3.8 MB
// body of 1.9 million nested arrays cost JSON.parse ~175 MB and ~0.5 s of the event loop before
// the decoder could refuse it. The scan reads brackets outside strings (string contents are
// skipped with indexOf, at native speed) and stops at the first level past the limit. It does not
// validate the JSON: JSON.parse still does that, for what passes.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_SQUARE = 0x5b;
const OPEN_CURLY = 0x7b;
const CLOSE_SQUARE = 0x5d;
const CLOSE_CURLY = 0x7d;

/** True when `bytes` (UTF-8 JSON text) opens more than `maxDepth` arrays and objects inside each other. */
export function jsonNestsDeeperThan(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      i = endOfString(bytes, i);
    } else if (byte === OPEN_SQUARE || byte === OPEN_CURLY) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_SQUARE || byte === CLOSE_CURLY) {
      depth--;
    }
  }
  return false;
}

/** The index of the quote closing the string opened at `start` (the text's end if unterminated). */
function endOfString(bytes: Uint8Array, start: number): number {
  let quote = start;
  for (;;) {
    quote = bytes.indexOf(QUOTE, quote + 1);
    if (quote < 0) return bytes.length;
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
}
