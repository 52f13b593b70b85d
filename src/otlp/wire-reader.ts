// A small protobuf wire reader over one request buffer, written for the OTLP decoders' hot path:
// one reader object per request, plain number/bigint results, no closures or objects per field
// and no Long. Every read is checked against the end of the buffer; the decoders check that each
// sub-message ends exactly where its length said (see `endMessage`). Failures throw FL_DECODE
// errors naming the byte offset; the decoders prefix the field path while the error unwinds
// (`withPath`), so the path string is only built when something is actually wrong.

import { isUtf8 } from 'node:buffer';

/** Strings up to this many bytes are checked for ASCII by a loop before Node's UTF-8 validator. */
const ASCII_SCAN_MAX = 4096;
import { decodeError, FaultlineError } from '../errors.js';

export const WireType = {
  VARINT: 0,
  FIXED64: 1,
  LENGTH_DELIMITED: 2,
  START_GROUP: 3,
  END_GROUP: 4,
  FIXED32: 5,
} as const;

const WIRE_TYPE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

/** Groups are a proto2 relic no OTLP sender writes; bound their nesting anyway when skipping. */
const MAX_GROUP_DEPTH = 32;

/** Byte → two lower-case hex digits. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Nibble → char code of its lower-case hex digit, and reusable code buffers for span and trace ids. */
const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const HEX_SCRATCH_8: number[] = new Array(16).fill(0);
const HEX_SCRATCH_16: number[] = new Array(32).fill(0);

/** Strings up to this length are decoded by a manual loop when they are pure ASCII. */
const SHORT_STRING = 32;

const utf8 = new TextDecoder('utf-8');

interface NodeBuffer extends Uint8Array {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

/**
 * Attribute keys and scope/span/event names repeat across spans and requests. A fixed-size,
 * process-wide table (so memory stays bounded) hands back the same flat string for the same
 * short ASCII bytes, which saves the allocation and makes the later Map.set hash a cached one.
 */
const NAME_CACHE_SIZE = 4096;
const NAME_CACHE_MAX_LENGTH = 64;
const nameCache: (string | undefined)[] = new Array(NAME_CACHE_SIZE).fill(undefined);

export class WireReader {
  readonly bytes: Uint8Array;
  /** The next byte to read. */
  pos = 0;
  readonly length: number;
  private readonly view: DataView;
  private readonly nodeBuffer: NodeBuffer | undefined;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.length = bytes.length;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.nodeBuffer = Buffer.isBuffer(bytes) ? (bytes as unknown as NodeBuffer) : undefined;
  }

  /** Reads a field tag; returns `field << 3 | wireType` as protobuf writes it. */
  tag(): number {
    const at = this.pos;
    const tag = this.uint32();
    if (tag >>> 3 === 0) throw decodeError(`invalid field number 0 at offset ${at}`);
    const wireType = tag & 7;
    if (wireType > 5) throw decodeError(`invalid wire type ${wireType} at offset ${at}`);
    return tag;
  }

  /** A varint as uint32 (int32 and enum values are the low 32 bits, `| 0` for signed). */
  uint32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    if (pos < this.length) {
      const b = bytes[pos];
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.length) throw truncated('varint', this.pos);
      const b = bytes[pos++];
      value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    // A 64-bit varint (e.g. a negative enum): the upper bytes do not change the low 32 bits.
    for (let i = 5; i < 10; i++) {
      if (pos >= this.length) throw truncated('varint', this.pos);
      if (bytes[pos++] < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw decodeError(`varint longer than 10 bytes at offset ${this.pos}`);
  }

  /** A signed int64 varint: a number when it is a safe integer, else an exact bigint. */
  int64(): number | bigint {
    const bytes = this.bytes;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    let i = 0;
    for (; i < 10; i++) {
      if (pos >= this.length) throw truncated('varint', start);
      const b = bytes[pos++];
      if (i < 4) lo |= (b & 0x7f) << (i * 7);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (i * 7 - 32);
      if (b < 0x80) break;
    }
    if (i === 10) throw decodeError(`varint longer than 10 bytes at offset ${start}`);
    this.pos = pos;
    lo >>>= 0;
    // hi is the signed upper half (two's complement); within ±2^21 the double is exact.
    if (hi >= -0x200000 && hi < 0x200000) {
      const value = hi * 4294967296 + lo;
      if (Number.isSafeInteger(value)) return value;
    }
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  fixed32(): number {
    const pos = this.pos;
    if (pos + 4 > this.length) throw truncated('fixed32', pos);
    this.pos = pos + 4;
    const b = this.bytes;
    return (b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16) | (b[pos + 3] << 24)) >>> 0;
  }

  /** An unsigned fixed64 as bigint (timestamps in ns exceed 2^53). */
  fixed64(): bigint {
    const pos = this.pos;
    if (pos + 8 > this.length) throw truncated('fixed64', pos);
    this.pos = pos + 8;
    return this.view.getBigUint64(pos, true);
  }

  double(): number {
    const pos = this.pos;
    if (pos + 8 > this.length) throw truncated('double', pos);
    this.pos = pos + 8;
    return this.view.getFloat64(pos, true);
  }

  /**
   * Reads a length prefix and returns where the value ends; `pos` is left at its first byte.
   * The value must fit inside `parentEnd` (the enclosing message), not just inside the buffer.
   */
  lengthDelimited(parentEnd: number): number {
    const at = this.pos;
    const length = this.uint32();
    const end = this.pos + length;
    // uint32() returns up to 2^32-1: compare as numbers, no overflow in doubles.
    if (end > parentEnd) {
      throw decodeError(`length ${length} at offset ${at} runs past the end of its message (offset ${parentEnd})`);
    }
    return end;
  }

  /**
   * A length-delimited UTF-8 string. Invalid UTF-8 is a decode error, as proto3 requires of
   * `string` fields (and as OTLP/JSON bodies are refused), never replaced with U+FFFD.
   */
  string(parentEnd: number): string {
    const end = this.lengthDelimited(parentEnd);
    const start = this.pos;
    this.pos = end;
    return this.stringAt(start, end);
  }

  /** The UTF-8 string in bytes [start, end); `pos` is not moved. */
  stringAt(start: number, end: number): string {
    const length = end - start;
    if (length === 0) return '';
    const bytes = this.bytes;
    if (length <= SHORT_STRING) {
      let ascii = true;
      for (let i = start; i < end; i++) {
        if (bytes[i] >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return this.nodeBuffer !== undefined ? this.nodeBuffer.latin1Slice(start, end) : asciiString(bytes, start, end);
    }
    this.checkUtf8(start, end);
    if (this.nodeBuffer !== undefined) return this.nodeBuffer.utf8Slice(start, end);
    return utf8.decode(bytes.subarray(start, end));
  }

  /**
   * Throws FL_DECODE unless bytes [start, end) are valid UTF-8: a loop for short ASCII, else
   * Node's SIMD validator (what the lazy attribute scan calls on the strings it does not decode).
   */
  checkUtf8(start: number, end: number): void {
    const bytes = this.bytes;
    // Most strings are ASCII: a byte loop is cheaper than a subarray and a call into C++ for all
    // but long texts (measured with instruction counts on S2: the call per attribute cost 20%).
    let from = start;
    if (end - start <= ASCII_SCAN_MAX) {
      while (from < end && bytes[from] < 0x80) from++;
      if (from === end) return;
    }
    // A UTF-8 sequence starts at a byte below 0x80 or at a lead byte, so validating from the first
    // non-ASCII byte judges the whole string.
    if (!isUtf8(bytes.subarray(from, end))) throw decodeError(`string at offset ${start} is not valid UTF-8`);
  }

  /**
   * A length-delimited string expected to repeat (an attribute key, a span name): short ASCII
   * ones come from the name cache; anything else is read as by `string`.
   */
  name(parentEnd: number): string {
    const end = this.lengthDelimited(parentEnd);
    const start = this.pos;
    this.pos = end;
    return this.nameAt(start, end);
  }

  /** The string in bytes [start, end) as `name` reads it; `pos` is not moved. */
  nameAt(start: number, end: number): string {
    const length = end - start;
    if (length === 0) return '';
    const bytes = this.bytes;
    if (length > NAME_CACHE_MAX_LENGTH) return this.stringAt(start, end);
    let hash = length;
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      if (b >= 0x80) return this.stringAt(start, end);
      hash = Math.imul(hash ^ b, 0x01000193);
    }
    const slot = (hash ^ (hash >>> 15)) & (NAME_CACHE_SIZE - 1);
    const cached = nameCache[slot];
    if (cached !== undefined && cached.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (cached.charCodeAt(i) !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const value = this.nodeBuffer !== undefined ? this.nodeBuffer.latin1Slice(start, end) : asciiString(bytes, start, end);
    nameCache[slot] = value;
    return value;
  }

  /** A length-delimited value as lower-case hex (trace and span ids). */
  hex(start: number, end: number): string {
    const bytes = this.bytes;
    const length = end - start;
    if (length === HEX_SCRATCH_8.length / 2 || length === HEX_SCRATCH_16.length / 2) {
      // One flat string from one call, instead of a rope of 2-character pieces.
      const codes = length === 8 ? HEX_SCRATCH_8 : HEX_SCRATCH_16;
      for (let i = 0; i < length; i++) {
        const byte = bytes[start + i];
        codes[2 * i] = HEX_CODES[byte >>> 4];
        codes[2 * i + 1] = HEX_CODES[byte & 15];
      }
      return String.fromCharCode.apply(null, codes);
    }
    let out = '';
    for (let i = start; i < end; i++) out += HEX[bytes[i]];
    return out;
  }

  /** A copy of bytes [start, end), so the result does not pin the whole request buffer. */
  copy(start: number, end: number): Uint8Array {
    const out = new Uint8Array(end - start);
    out.set(this.bytes.subarray(start, end));
    return out;
  }

  /** True when bytes [start, end) are all zero (or the range is empty). */
  allZero(start: number, end: number): boolean {
    const bytes = this.bytes;
    for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
    return true;
  }

  /** Skips the value of a field whose tag was just read. */
  skip(tag: number, parentEnd: number): void {
    switch (tag & 7) {
      case WireType.VARINT: {
        const bytes = this.bytes;
        const start = this.pos;
        let pos = start;
        for (let i = 0; i < 10; i++) {
          if (pos >= this.length) throw truncated('varint', start);
          if (bytes[pos++] < 0x80) {
            this.pos = pos;
            return;
          }
        }
        throw decodeError(`varint longer than 10 bytes at offset ${start}`);
      }
      case WireType.FIXED64:
        if (this.pos + 8 > this.length) throw truncated('fixed64', this.pos);
        this.pos += 8;
        return;
      case WireType.LENGTH_DELIMITED:
        this.pos = this.lengthDelimited(parentEnd);
        return;
      case WireType.FIXED32:
        if (this.pos + 4 > this.length) throw truncated('fixed32', this.pos);
        this.pos += 4;
        return;
      case WireType.START_GROUP:
        this.skipGroup(tag >>> 3, parentEnd, 1);
        return;
      default:
        throw decodeError(`unexpected end-group tag for field ${tag >>> 3} at offset ${this.pos - 1}`);
    }
  }

  private skipGroup(field: number, parentEnd: number, depth: number): void {
    const start = this.pos;
    if (depth > MAX_GROUP_DEPTH) throw decodeError(`groups nested deeper than ${MAX_GROUP_DEPTH} at offset ${start}`);
    while (this.pos < parentEnd) {
      const tag = this.tag();
      const wireType = tag & 7;
      if (wireType === WireType.END_GROUP) {
        if (tag >>> 3 !== field) {
          throw decodeError(`end-group for field ${tag >>> 3} closes the group of field ${field} at offset ${this.pos - 1}`);
        }
        return;
      }
      if (wireType === WireType.START_GROUP) this.skipGroup(tag >>> 3, parentEnd, depth + 1);
      else this.skip(tag, parentEnd);
    }
    throw decodeError(`group of field ${field} starting at offset ${start} is not closed`);
  }

  /** Checks that a message's fields ended exactly at its declared end. */
  endMessage(end: number): void {
    if (this.pos !== end) {
      throw decodeError(`a field runs past the end of its message: offset ${this.pos}, message ends at ${end}`);
    }
  }
}

function asciiString(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]);
  return out;
}

function truncated(what: string, offset: number): FaultlineError {
  return decodeError(`truncated ${what} at offset ${offset}`);
}

/**
 * The error for a field whose wire type differs from the schema, e.g.
 * `field 7 (start_time_unix_nano) has wire type 2, expected 1 (fixed64) at offset 118`.
 * `offset` is where the tag starts.
 */
export function wrongWireType(tag: number, name: string, expected: number, offset: number): FaultlineError {
  return decodeError(
    `field ${tag >>> 3} (${name}) has wire type ${tag & 7}, expected ${expected} (${WIRE_TYPE_NAMES[expected]}) at offset ${offset}`,
  );
}

const DETAIL = Symbol('decodeDetail');
const PATH = Symbol('decodePath');

interface PathedError {
  [DETAIL]?: string;
  [PATH]?: string;
}

/**
 * Prefixes a decode error's message with where it happened, one segment per level as the error
 * unwinds: `resourceSpans[0]` + `scopeSpans[1]` + `spans[2]` → `resourceSpans[0].scopeSpans[1].spans[2]: …`.
 * Other errors pass through unchanged. Returns the error for `throw withPath(e, …)`.
 */
export function withPath(error: unknown, segment: string): unknown {
  if (!(error instanceof FaultlineError) || error.code !== 'FL_DECODE') return error;
  const pathed = error as FaultlineError & PathedError;
  const detail = pathed[DETAIL] ?? error.message;
  const inner = pathed[PATH];
  const path = inner === undefined ? segment : inner.startsWith('[') ? segment + inner : `${segment}.${inner}`;
  pathed[DETAIL] = detail;
  pathed[PATH] = path;
  error.message = `${path}: ${detail}`;
  return error;
}

/** `name[index]`, the usual path segment. */
export function at(name: string, index: number): string {
  return `${name}[${index}]`;
}
