// A Sentry envelope's bytes → its header and items (https://develop.sentry.dev/sdk/envelopes/):
//   {"event_id":…,"dsn":…,"sdk":…,"trace":{…}}\n        the envelope header, one JSON line
//   {"type":"event","length":1234}\n                    each item: a header line, then its payload:
//   <1234 bytes>\n                                       `length` bytes when the header says, else one line
// A header that is not a JSON object makes the whole body "not an envelope" (FL_DECODE). An item
// that cannot be read (a header that is not JSON, a length past the end, a payload not followed by a
// newline, no `type`) is rejected alone with its reason; reading goes on at the next line (for a
// length that lies, the first newline of its payload), so the items after it are kept. Never throws past the envelope header; bounded by MAX_ITEMS.

import { decodeError } from '../../errors.js';

export interface EnvelopeItem {
  /** The item header's `type`. */
  readonly type: string;
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Buffer;
}

/** Why an item was rejected: a short stable reason (a metric label) and a sentence for the reply. */
export interface ItemRejection {
  readonly reason: 'malformed_header' | 'truncated' | 'bad_length' | 'missing_type' | 'too_many_items' | 'invalid_payload' | 'too_large';
  readonly message: string;
}

export interface Envelope {
  readonly header: Readonly<Record<string, unknown>>;
  readonly items: readonly EnvelopeItem[];
  readonly rejected: readonly ItemRejection[];
}

/** Items read from one envelope at most; the rest are rejected as too_many_items. */
export const MAX_ITEMS = 1000;
const NEWLINE = 0x0a;

export function parseEnvelope(body: Buffer): Envelope {
  const headerEnd = lineEnd(body, 0);
  const header = jsonObject(body.subarray(0, headerEnd));
  if (header === undefined) throw decodeError('not a Sentry envelope: its first line is not a JSON object');
  const items: EnvelopeItem[] = [];
  const rejected: ItemRejection[] = [];
  let position = headerEnd + 1;
  let index = 0;
  while (position < body.length) {
    const itemHeaderEnd = lineEnd(body, position);
    const line = body.subarray(position, itemHeaderEnd);
    position = itemHeaderEnd + 1;
    if (isBlank(line)) continue; // a trailing newline, or blank lines between items
    if (index >= MAX_ITEMS) {
      rejected.push({ reason: 'too_many_items', message: `items past the first ${MAX_ITEMS} are not read` });
      break;
    }
    const at = `item ${index++}`;
    const itemHeader = jsonObject(line);
    if (itemHeader === undefined) {
      rejected.push({ reason: 'malformed_header', message: `${at}: its header is not a JSON object` });
      continue; // the line after it is read as the next header
    }
    let payload: Buffer;
    const length = itemHeader.length;
    if (length !== undefined && length !== null) {
      if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
        rejected.push({ reason: 'bad_length', message: `${at}: length ${JSON.stringify(length)} is not a byte count` });
        position = lineEnd(body, position) + 1;
        continue;
      }
      if (position + length > body.length) {
        rejected.push({ reason: 'truncated', message: `${at}: length ${length} but only ${Math.max(0, body.length - position)} bytes remain` });
        break;
      }
      const payloadStart = position;
      payload = body.subarray(position, position + length);
      position += length;
      if (position < body.length && body[position] !== NEWLINE) {
        rejected.push({ reason: 'bad_length', message: `${at}: its payload does not end after the ${length} bytes its length says` });
        // JSON payloads hold no raw newline: the item most likely ends at the first one, too short or too long a length alike.
        position = lineEnd(body, payloadStart) + 1;
        continue;
      }
      position += 1;
    } else {
      const payloadEnd = lineEnd(body, position);
      payload = body.subarray(position, payloadEnd);
      position = payloadEnd + 1;
    }
    const type = itemHeader.type;
    if (typeof type !== 'string' || type === '') {
      rejected.push({ reason: 'missing_type', message: `${at}: its header has no type` });
      continue;
    }
    items.push({ type, header: itemHeader, payload });
  }
  return { header, items, rejected };
}

/** The index of the next newline at or after `from`, or the body's length. */
function lineEnd(body: Buffer, from: number): number {
  const end = body.indexOf(NEWLINE, from);
  return end < 0 ? body.length : end;
}

function isBlank(line: Buffer): boolean {
  for (const byte of line) if (byte !== 0x20 && byte !== 0x0d && byte !== 0x09) return false;
  return true;
}

/** The JSON object a line holds, or undefined when it holds anything else. */
export function jsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
