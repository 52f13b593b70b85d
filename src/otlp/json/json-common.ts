// OTLP/JSON reading rules shared by the three signals, and the readers for the shared messages
// (attributes, AnyValue, resource, scope). OTLP/JSON is proto3 JSON with OTLP's exceptions:
//  - ids are hex strings (case-insensitive; stored lower-case), not base64;
//  - 64-bit integers come as decimal strings or JSON numbers ("25" == 25). A JSON number above
//    2^53 would lose digits in JSON.parse, so such integer literals are quoted before parsing
//    (quoteBigIntegers) and arrive here exact;
//  - Long objects `{low, high[, unsigned]}` (what protobufjs' toObject and otlp-transformer 0.44
//    emitted) are decoded as the 64-bit value they stand for, rather than refused;
//  - enums as integers or by name ("SPAN_KIND_SERVER"); a missing enum is 0;
//  - lowerCamelCase keys, with the snake_case proto names accepted too; unknown keys ignored;
//  - null is the same as a missing field.
// A known field of the wrong JSON type is a decode error naming its JSON path.

import { decodeError } from '../../errors.js';
import type { AttributeValue } from '../types.js';
import { at, withPath } from '../wire-reader.js';
import { kvlistObject, MAX_ANY_VALUE_DEPTH } from '../protobuf/decode-common.js';

export type JsonObject = { readonly [key: string]: unknown };

const EMPTY: readonly unknown[] = Object.freeze([]);

/** JSON.parse, with a syntax error turned into FL_DECODE and big integer literals kept exact. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(MAY_HOLD_BIG_INTEGER.test(body) ? quoteBigIntegers(body) : body);
  } catch (error) {
    throw decodeError(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The top-level value must be an object; anything else is not an OTLP request. */
export function parseRequest(body: string): JsonObject {
  const value = parseJson(body);
  if (!isObject(value)) throw decodeError(`expected a JSON object at the top level, got ${typeName(value)}`);
  return value;
}

/**
 * A number literal in JSON follows `:`, `,` or `[` (and maybe whitespace), so a body this does not
 * match holds no big integer literal; the full scan only runs when it does. SDKs send 64-bit
 * values as strings ("startTimeUnixNano":"1767…"), which this rightly passes over.
 */
const MAY_HOLD_BIG_INTEGER = /[:,[]\s*-?\d{16}/;

/**
 * Wraps integer literals of 16 or more digits (outside strings) in quotes so JSON.parse keeps
 * every digit; the field readers accept 64-bit integers as decimal strings anyway. Numbers with a
 * fraction or exponent are left alone: they are doubles.
 */
export function quoteBigIntegers(text: string): string {
  let out = '';
  let copied = 0;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < length) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      if (c === 0x2d) i++;
      const digitsStart = i;
      while (i < length && isDigit(text.charCodeAt(i))) i++;
      const digits = i - digitsStart;
      let integer = true;
      while (i < length) {
        const d = text.charCodeAt(i);
        if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d || isDigit(d)) {
          integer = false;
          i++;
        } else break;
      }
      if (integer && digits >= 16) {
        out += `${text.slice(copied, start)}"${text.slice(start, i)}"`;
        copied = i;
      }
    } else i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** An FL_DECODE error at `key` (relative; outer levels add their segments as it unwinds). */
export function fail(key: string, message: string): unknown {
  return withPath(decodeError(message), key);
}

/** A field by its lowerCamelCase name or its snake_case proto name; null counts as missing. */
export function field(o: JsonObject, camel: string, snake: string): unknown {
  const value = o[camel];
  if (value !== undefined && value !== null) return value;
  const other = o[snake];
  return other === null ? undefined : other;
}

export function jsonString(o: JsonObject, camel: string, snake: string): string {
  const value = field(o, camel, snake);
  if (value === undefined) return '';
  if (typeof value !== 'string') throw fail(camel, `expected a string, got ${typeName(value)}`);
  return value;
}

export function jsonArray(o: JsonObject, camel: string, snake: string): readonly unknown[] {
  const value = field(o, camel, snake);
  if (value === undefined) return EMPTY;
  if (!Array.isArray(value)) throw fail(camel, `expected an array, got ${typeName(value)}`);
  return value;
}

export function jsonObject(o: JsonObject, camel: string, snake: string): JsonObject | undefined {
  const value = field(o, camel, snake);
  if (value === undefined) return undefined;
  if (!isObject(value)) throw fail(camel, `expected an object, got ${typeName(value)}`);
  return value;
}

/** An array element that must be a message. The caller adds the `name[index]` path segment. */
export function element(items: readonly unknown[], index: number): JsonObject {
  const value = items[index];
  if (!isObject(value)) throw decodeError(`expected an object, got ${typeName(value)}`);
  return value;
}

const DECIMAL = /^-?\d+$/;

/**
 * A 64-bit integer from a JSON number, a decimal string or a `{low, high}` Long, as bigint; or
 * the message saying why not. `signed` selects int64 (Long halves are two's complement) or uint64.
 */
function toBigInt(value: unknown, signed: boolean): bigint | string {
  if (typeof value === 'string') {
    if (!DECIMAL.test(value)) return `expected an integer or a decimal string, got "${clip(value)}"`;
    const n = BigInt(value);
    if (n < (signed ? -(1n << 63n) : 0n) || n >= (signed ? 1n << 63n : 1n << 64n)) {
      return `${value} is out of range for ${signed ? 'int64' : 'uint64'}`;
    }
    return n;
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return `expected an integer or a decimal string, got ${value}`;
    if (!signed && value < 0) return `${value} is out of range for uint64`;
    return BigInt(value);
  }
  if (isObject(value) && typeof value.low === 'number' && typeof value.high === 'number') {
    const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
    return signed && value.unsigned !== true ? BigInt.asIntN(64, bits) : bits;
  }
  return `expected an integer or a decimal string, got ${typeName(value)}`;
}

/** A uint64 such as a timestamp in ns; 0n when missing. */
export function jsonUint64(o: JsonObject, camel: string, snake: string): bigint {
  const value = field(o, camel, snake);
  if (value === undefined) return 0n;
  // The common case first: a decimal string of a timestamp.
  const n = toBigInt(value, false);
  if (typeof n === 'string') throw fail(camel, n);
  return n;
}

/** An int64 as AttributeValue does: a number when safe, else an exact bigint. */
function int64Value(value: unknown, key: string): number | bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  const n = toBigInt(value, true);
  if (typeof n === 'string') throw fail(key, n);
  const asNumber = Number(n);
  return Number.isSafeInteger(asNumber) ? asNumber : n;
}

/** An enum by number or by name (`names`); 0 when missing. */
export function jsonEnum(o: JsonObject, camel: string, snake: string, names: { readonly [name: string]: number }): number {
  const value = field(o, camel, snake);
  if (value === undefined) return 0;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
      throw fail(camel, `expected an enum number or name, got ${value}`);
    }
    return value;
  }
  if (typeof value === 'string') {
    const number = Object.hasOwn(names, value) ? names[value] : undefined;
    if (number !== undefined) return number;
    if (/^-?\d+$/.test(value) && Math.abs(Number(value)) <= 2147483647) return Number(value);
    throw fail(camel, `unknown enum name "${clip(value)}"`);
  }
  throw fail(camel, `expected an enum number or name, got ${typeName(value)}`);
}

/**
 * A trace or span id: lower-case hex, or undefined when the string is not hex (the caller then
 * rejects that one item). A non-string is a decode error of the whole request.
 */
export function jsonId(o: JsonObject, camel: string, snake: string): string | undefined {
  const value = field(o, camel, snake);
  if (value === undefined) return '';
  if (typeof value !== 'string') throw fail(camel, `expected a hex string, got ${typeName(value)}`);
  const length = value.length;
  if (length % 2 !== 0) return undefined;
  let upper = false;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) continue;
    if (c >= 0x41 && c <= 0x46) upper = true;
    else return undefined;
  }
  return upper ? value.toLowerCase() : value;
}

/** True when a (valid, lower-case) hex id is all zeros. */
export function hexAllZero(hex: string): boolean {
  for (let i = 0; i < hex.length; i++) if (hex.charCodeAt(i) !== 0x30) return false;
  return true;
}

/** Reads `attributes` (or another KeyValue array) into a Map; a repeated key keeps the last value. */
export function jsonAttributes(o: JsonObject, camel: string, snake: string): Map<string, AttributeValue> {
  const items = jsonArray(o, camel, snake);
  const attributes = new Map<string, AttributeValue>();
  for (let i = 0; i < items.length; i++) {
    try {
      readKeyValue(element(items, i), attributes, 0);
    } catch (error) {
      throw withPath(error, at(camel, i));
    }
  }
  return attributes;
}

function readKeyValue(kv: JsonObject, into: Map<string, AttributeValue>, depth: number): void {
  const key = jsonString(kv, 'key', 'key');
  const value = field(kv, 'value', 'value');
  into.set(key, value === undefined ? null : anyValue(value, 'value', depth));
}

/** An AnyValue object (`{stringValue: …}` etc.); `{}` is an empty value (null). */
export function anyValue(value: unknown, key: string, depth: number): AttributeValue {
  if (!isObject(value)) throw fail(key, `expected an AnyValue object, got ${typeName(value)}`);
  if (depth >= MAX_ANY_VALUE_DEPTH) throw fail(key, `AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  try {
    return anyValueMember(value, depth);
  } catch (error) {
    throw withPath(error, key);
  }
}

function anyValueMember(o: JsonObject, depth: number): AttributeValue {
  let v = field(o, 'stringValue', 'string_value');
  if (v !== undefined) {
    if (typeof v !== 'string') throw fail('stringValue', `expected a string, got ${typeName(v)}`);
    return v;
  }
  v = field(o, 'intValue', 'int_value');
  if (v !== undefined) return int64Value(v, 'intValue');
  v = field(o, 'boolValue', 'bool_value');
  if (v !== undefined) {
    if (typeof v !== 'boolean') throw fail('boolValue', `expected a boolean, got ${typeName(v)}`);
    return v;
  }
  v = field(o, 'doubleValue', 'double_value');
  if (v !== undefined) return double(v, 'doubleValue');
  v = field(o, 'arrayValue', 'array_value');
  if (v !== undefined) {
    if (!isObject(v)) throw fail('arrayValue', `expected an object, got ${typeName(v)}`);
    const items = jsonArray(v, 'values', 'values');
    const out: AttributeValue[] = new Array(items.length);
    try {
      for (let i = 0; i < items.length; i++) out[i] = anyValue(items[i], at('values', i), depth + 1);
    } catch (error) {
      throw withPath(error, 'arrayValue');
    }
    return out;
  }
  v = field(o, 'kvlistValue', 'kvlist_value');
  if (v !== undefined) {
    if (!isObject(v)) throw fail('kvlistValue', `expected an object, got ${typeName(v)}`);
    const items = jsonArray(v, 'values', 'values');
    const entries = new Map<string, AttributeValue>();
    try {
      for (let i = 0; i < items.length; i++) {
        try {
          readKeyValue(element(items, i), entries, depth + 1);
        } catch (error) {
          throw withPath(error, at('values', i));
        }
      }
    } catch (error) {
      throw withPath(error, 'kvlistValue');
    }
    return kvlistObject(entries);
  }
  v = field(o, 'bytesValue', 'bytes_value');
  if (v !== undefined) {
    if (typeof v !== 'string') throw fail('bytesValue', `expected a base64 string, got ${typeName(v)}`);
    return new Uint8Array(Buffer.from(v, 'base64'));
  }
  return null;
}

/** A double: a JSON number, or a string ("NaN", "Infinity", "-Infinity" or a numeral) per proto3 JSON. */
function double(value: unknown, key: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return NaN;
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    const n = Number(value);
    if (value.trim() !== '' && Number.isFinite(n)) return n;
  }
  throw fail(key, `expected a number, got ${typeof value === 'string' ? `"${clip(value)}"` : typeName(value)}`);
}

/** `resource.attributes` of a Resource{Spans,Logs,Metrics}. */
export function jsonResource(o: JsonObject): Map<string, AttributeValue> {
  const resource = jsonObject(o, 'resource', 'resource');
  if (resource === undefined) return new Map();
  try {
    return jsonAttributes(resource, 'attributes', 'attributes');
  } catch (error) {
    throw withPath(error, 'resource');
  }
}

/** `scope.name` of a Scope{Spans,Logs,Metrics}. */
export function jsonScopeName(o: JsonObject): string {
  const scope = jsonObject(o, 'scope', 'scope');
  if (scope === undefined) return '';
  try {
    return jsonString(scope, 'name', 'name');
  } catch (error) {
    throw withPath(error, 'scope');
  }
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

