// Attributes read lazily from the request bytes: the hot path's answer to "most attribute values
// are never looked at". At decode time each KeyValue is validated exactly as the eager reader
// would (same wire-type, length, depth, nesting and UTF-8 checks; on failure the eager reader is
// run to throw its exact error and path) and only the byte ranges of its key and value are kept.
// get(key) compares the key's bytes in place and decodes just the one value asked for; anything
// that needs the whole set (size, iteration) builds the Map once and uses it from then on.
//
// The ranges point into the request buffer, so a WireAttributes must not outlive the request:
// whatever keeps attributes past extraction (error events) calls detachAttributes(), which builds
// the Map and drops the buffer. The object stays the same, so `event.attributes === span.attributes`.

import { decodeError } from '../../errors.js';
import type { AttributeValue, Attributes } from '../types.js';
import { WireReader, WireType, at, withPath, wrongWireType } from '../wire-reader.js';
import { MAX_ANY_VALUE_DEPTH, readAnyValue, readKeyValue } from './decode-common.js';

export interface DecodeOptions {
  /**
   * Read span, event and log record attributes from the request bytes on demand (the ingest hot
   * path) instead of building every Map up front. Default false.
   */
  readonly lazyAttributes?: boolean;
}

const LEN = WireType.LENGTH_DELIMITED;
const NO_VALUE = -1;

/** Per KeyValue: key start, key end, value start, value end (NO_VALUE: no value field → null). */
const STRIDE = 4;

export class WireAttributes implements ReadonlyMap<string, AttributeValue> {
  private reader: WireReader | null;
  private readonly ranges: number[] = [];
  private map: Map<string, AttributeValue> | null = null;

  constructor(reader: WireReader) {
    this.reader = reader;
  }

  /**
   * Validates one KeyValue (r.pos..end) and records where its key and value are; r.pos ends at
   * `end`. `name` and the set's size so far form the error path, as the eager reader gives it.
   */
  addKeyValue(r: WireReader, end: number, name: string): void {
    const start = r.pos;
    try {
      scanKeyValue(r, end, 0, this.ranges);
    } catch (scanError) {
      throw this.exactError(r, start, end, name, scanError);
    }
  }

  /** Runs the eager reader over the bad KeyValue so the error and its path read as they always did. */
  private exactError(r: WireReader, start: number, end: number, name: string, scanError: unknown): unknown {
    const index = this.materialize().size;
    this.map = null;
    r.pos = start;
    try {
      readKeyValue(r, end, new Map(), 0);
    } catch (error) {
      return withPath(error, at(name, index));
    }
    return withPath(scanError, at(name, index));
  }

  get(key: string): AttributeValue | undefined {
    if (this.map !== null) return this.map.get(key);
    const r = this.reader!;
    const bytes = r.bytes;
    const length = key.length;
    for (let j = 0; j < length; j++) {
      // A non-ASCII key's UTF-8 bytes differ from its UTF-16 units: let the Map decide.
      if (key.charCodeAt(j) >= 0x80) return this.materialize().get(key);
    }
    const ranges = this.ranges;
    // The last occurrence of a key wins, as in the Map: search from the end.
    search: for (let i = ranges.length - STRIDE; i >= 0; i -= STRIDE) {
      const keyStart = ranges[i]!;
      if (ranges[i + 1]! - keyStart !== length) continue;
      for (let j = 0; j < length; j++) if (bytes[keyStart + j] !== key.charCodeAt(j)) continue search;
      const valueStart = ranges[i + 2]!;
      if (valueStart === NO_VALUE) return null;
      const saved = r.pos;
      r.pos = valueStart;
      const value = readAnyValue(r, ranges[i + 3]!, 0);
      r.pos = saved;
      // Arrays, kvlists and bytes are objects: hand out the Map's one instance every time.
      return typeof value === 'object' && value !== null ? this.materialize().get(key) : value;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Whether some key starts with `prefix` (ASCII), without building the Map. */
  hasKeyWithPrefix(prefix: string): boolean {
    if (this.map !== null) {
      for (const key of this.map.keys()) if (key.startsWith(prefix)) return true;
      return false;
    }
    const bytes = this.reader!.bytes;
    const ranges = this.ranges;
    const length = prefix.length;
    search: for (let i = 0; i < ranges.length; i += STRIDE) {
      const keyStart = ranges[i]!;
      if (ranges[i + 1]! - keyStart < length) continue;
      for (let j = 0; j < length; j++) if (bytes[keyStart + j] !== prefix.charCodeAt(j)) continue search;
      return true;
    }
    return false;
  }

  /** Builds the Map (once) and lets go of the request buffer. */
  materialize(): Map<string, AttributeValue> {
    if (this.map !== null) return this.map;
    const map = new Map<string, AttributeValue>();
    const r = this.reader!;
    const saved = r.pos;
    const ranges = this.ranges;
    for (let i = 0; i < ranges.length; i += STRIDE) {
      const key = r.nameAt(ranges[i]!, ranges[i + 1]!);
      const valueStart = ranges[i + 2]!;
      let value: AttributeValue = null;
      if (valueStart !== NO_VALUE) {
        r.pos = valueStart;
        value = readAnyValue(r, ranges[i + 3]!, 0);
      }
      map.set(key, value);
    }
    r.pos = saved;
    this.map = map;
    this.reader = null;
    return map;
  }

  get size(): number {
    return this.materialize().size;
  }
  forEach(callback: (value: AttributeValue, key: string, map: ReadonlyMap<string, AttributeValue>) => void, thisArg?: unknown): void {
    this.materialize().forEach((value, key) => callback.call(thisArg, value, key, this));
  }
  entries(): MapIterator<[string, AttributeValue]> {
    return this.materialize().entries();
  }
  keys(): MapIterator<string> {
    return this.materialize().keys();
  }
  values(): MapIterator<AttributeValue> {
    return this.materialize().values();
  }
  [Symbol.iterator](): MapIterator<[string, AttributeValue]> {
    return this.materialize()[Symbol.iterator]();
  }
  get [Symbol.toStringTag](): string {
    return 'Map';
  }
}

/**
 * Checks an AnyValue (r.pos..end) the way readAnyValue does — every known field's wire type,
 * lengths, nesting depth, message ends — without building the value.
 */
function scanAnyValue(r: WireReader, end: number, depth: number): void {
  if (depth >= MAX_ANY_VALUE_DEPTH) throw wrongDepth(r);
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1: {
        if (wireType !== LEN) throw wrongWireType(tag, 'string_value', LEN, start);
        const stringEnd = r.lengthDelimited(end);
        r.checkUtf8(r.pos, stringEnd);
        r.pos = stringEnd;
        break;
      }
      case 2:
      case 3:
        if (wireType !== WireType.VARINT) throw wrongWireType(tag, 'int_value', WireType.VARINT, start);
        r.skip(tag, end);
        break;
      case 4:
        if (wireType !== WireType.FIXED64) throw wrongWireType(tag, 'double_value', WireType.FIXED64, start);
        r.skip(tag, end);
        break;
      case 5:
      case 6: {
        if (wireType !== LEN) throw wrongWireType(tag, 'array_value', LEN, start);
        const listEnd = r.lengthDelimited(end);
        scanValueList(r, listEnd, depth + 1, tag >>> 3 === 6);
        break;
      }
      case 7:
        if (wireType !== LEN) throw wrongWireType(tag, 'bytes_value', LEN, start);
        r.pos = r.lengthDelimited(end);
        break;
      default:
        r.skip(tag, end);
    }
  }
  r.endMessage(end);
}

/** An ArrayValue (repeated AnyValue, field 1) or a KeyValueList (repeated KeyValue, field 1). */
function scanValueList(r: WireReader, end: number, depth: number, keyValues: boolean): void {
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== LEN) throw wrongWireType(tag, 'values', LEN, start);
      const itemEnd = r.lengthDelimited(end);
      if (keyValues) scanKeyValue(r, itemEnd, depth, null);
      else scanAnyValue(r, itemEnd, depth);
    } else r.skip(tag, end);
  }
  r.endMessage(end);
}

/**
 * Checks a KeyValue (r.pos..end) as readKeyValue does. With `ranges`, appends where its key and
 * value are (the last occurrence of each field wins, as when reading it; no value → NO_VALUE).
 */
function scanKeyValue(r: WireReader, end: number, depth: number, ranges: number[] | null): void {
  let keyStart = 0;
  let keyEnd = 0;
  let valueStart = NO_VALUE;
  let valueEnd = NO_VALUE;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    switch (tag >>> 3) {
      case 1:
        if ((tag & 7) !== LEN) throw wrongWireType(tag, 'key', LEN, start);
        keyEnd = r.lengthDelimited(end);
        keyStart = r.pos;
        r.checkUtf8(keyStart, keyEnd);
        r.pos = keyEnd;
        break;
      case 2:
        if ((tag & 7) !== LEN) throw wrongWireType(tag, 'value', LEN, start);
        valueEnd = r.lengthDelimited(end);
        valueStart = r.pos;
        scanAnyValue(r, valueEnd, depth);
        break;
      default:
        r.skip(tag, end);
    }
  }
  r.endMessage(end);
  if (ranges !== null) ranges.push(keyStart, keyEnd, valueStart, valueEnd);
}

function wrongDepth(r: WireReader): Error {
  return decodeError(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels at offset ${r.pos}`);
}

/**
 * Makes attributes safe to keep past the request: a WireAttributes builds its Map and drops the
 * request buffer (the same object is returned); anything else is returned as it is.
 */
export function detachAttributes(attributes: Attributes): Attributes {
  if (attributes instanceof WireAttributes) attributes.materialize();
  return attributes;
}

/** Whether any key starts with `prefix` (ASCII); reads keys in place when it can. */
export function hasKeyWithPrefix(attributes: Attributes, prefix: string): boolean {
  if (attributes instanceof WireAttributes) return attributes.hasKeyWithPrefix(prefix);
  for (const key of attributes.keys()) if (key.startsWith(prefix)) return true;
  return false;
}

/** As readAttributeField (decode-common.ts), into attributes read lazily. */
export function readWireAttributeField(
  r: WireReader,
  tag: number,
  start: number,
  end: number,
  attributes: WireAttributes,
  name: string,
): void {
  if ((tag & 7) !== LEN) throw wrongWireType(tag, name, LEN, start);
  const kvEnd = r.lengthDelimited(end);
  attributes.addKeyValue(r, kvEnd, name);
}
