// Protobuf readers for the OTLP messages every signal shares: KeyValue attributes, AnyValue,
// Resource and InstrumentationScope (common.proto, resource.proto). Each reads fields from
// `r.pos` up to `end`, checks the wire type of every field the schema knows, and skips the rest.

import { decodeError } from '../../errors.js';
import type { AttributeValue } from '../types.js';
import { WireReader, WireType, at, withPath, wrongWireType } from '../wire-reader.js';

/** AnyValue may nest arrays and kvlists; deeper than this is refused rather than recursed into. */
export const MAX_ANY_VALUE_DEPTH = 32;

const LEN = WireType.LENGTH_DELIMITED;
const VARINT = WireType.VARINT;

/** Reads one KeyValue (r.pos..end) into `attributes`; a repeated key keeps its last value. */
export function readKeyValue(r: WireReader, end: number, attributes: Map<string, AttributeValue>, depth: number): void {
  let key = '';
  let value: AttributeValue = null;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    switch (tag >>> 3) {
      case 1:
        if ((tag & 7) !== LEN) throw wrongWireType(tag, 'key', LEN, start);
        key = r.name(end);
        break;
      case 2: {
        if ((tag & 7) !== LEN) throw wrongWireType(tag, 'value', LEN, start);
        const valueEnd = r.lengthDelimited(end);
        value = readAnyValue(r, valueEnd, depth);
        break;
      }
      default:
        r.skip(tag, end);
    }
  }
  r.endMessage(end);
  attributes.set(key, value);
}

/**
 * Reads a repeated KeyValue field occurrence: `tag` was just read at `start`. Adds the path
 * segment `<name>[index]` to errors.
 */
export function readAttributeField(
  r: WireReader,
  tag: number,
  start: number,
  end: number,
  attributes: Map<string, AttributeValue>,
  name: string,
): void {
  if ((tag & 7) !== LEN) throw wrongWireType(tag, name, LEN, start);
  const kvEnd = r.lengthDelimited(end);
  try {
    readKeyValue(r, kvEnd, attributes, 0);
  } catch (error) {
    throw withPath(error, at(name, attributes.size));
  }
}

/** Reads an AnyValue (r.pos..end). No member set → null. */
export function readAnyValue(r: WireReader, end: number, depth: number): AttributeValue {
  if (depth >= MAX_ANY_VALUE_DEPTH) {
    throw decodeError(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels at offset ${r.pos}`);
  }
  let value: AttributeValue = null;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wireType !== LEN) throw wrongWireType(tag, 'string_value', LEN, start);
        // Short values repeat (routes, methods, exception types): read through the name cache.
        value = r.name(end);
        break;
      case 2:
        if (wireType !== VARINT) throw wrongWireType(tag, 'bool_value', VARINT, start);
        value = r.bool();
        break;
      case 3:
        if (wireType !== VARINT) throw wrongWireType(tag, 'int_value', VARINT, start);
        value = r.int64();
        break;
      case 4:
        if (wireType !== WireType.FIXED64) throw wrongWireType(tag, 'double_value', WireType.FIXED64, start);
        value = r.double();
        break;
      case 5: {
        if (wireType !== LEN) throw wrongWireType(tag, 'array_value', LEN, start);
        const arrayEnd = r.lengthDelimited(end);
        value = readArrayValue(r, arrayEnd, depth + 1);
        break;
      }
      case 6: {
        if (wireType !== LEN) throw wrongWireType(tag, 'kvlist_value', LEN, start);
        const listEnd = r.lengthDelimited(end);
        value = readKeyValueList(r, listEnd, depth + 1);
        break;
      }
      case 7: {
        if (wireType !== LEN) throw wrongWireType(tag, 'bytes_value', LEN, start);
        const bytesEnd = r.lengthDelimited(end);
        value = r.copy(r.pos, bytesEnd);
        r.pos = bytesEnd;
        break;
      }
      default:
        r.skip(tag, end);
    }
  }
  r.endMessage(end);
  return value;
}

function readArrayValue(r: WireReader, end: number, depth: number): AttributeValue[] {
  const values: AttributeValue[] = [];
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== LEN) throw wrongWireType(tag, 'values', LEN, start);
      const valueEnd = r.lengthDelimited(end);
      try {
        values.push(readAnyValue(r, valueEnd, depth));
      } catch (error) {
        throw withPath(error, at('arrayValue.values', values.length));
      }
    } else r.skip(tag, end);
  }
  r.endMessage(end);
  return values;
}

function readKeyValueList(r: WireReader, end: number, depth: number): { [key: string]: AttributeValue } {
  const entries = new Map<string, AttributeValue>();
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== LEN) throw wrongWireType(tag, 'values', LEN, start);
      const kvEnd = r.lengthDelimited(end);
      try {
        readKeyValue(r, kvEnd, entries, depth);
      } catch (error) {
        throw withPath(error, at('kvlistValue.values', entries.size));
      }
    } else r.skip(tag, end);
  }
  r.endMessage(end);
  return kvlistObject(entries);
}

/** A kvlist as a plain object; `__proto__` is defined as an own key, never a prototype. */
export function kvlistObject(entries: Map<string, AttributeValue>): { [key: string]: AttributeValue } {
  const object: { [key: string]: AttributeValue } = {};
  for (const [key, value] of entries) {
    if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
    else object[key] = value;
  }
  return object;
}

/** Reads a Resource (r.pos..end): its attributes. */
export function readResource(r: WireReader, end: number): Map<string, AttributeValue> {
  const attributes = new Map<string, AttributeValue>();
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    switch (tag >>> 3) {
      case 1:
        readAttributeField(r, tag, start, end, attributes, 'attributes');
        break;
      case 2:
        if ((tag & 7) !== VARINT) throw wrongWireType(tag, 'dropped_attributes_count', VARINT, start);
        r.skip(tag, end);
        break;
      case 3:
        if ((tag & 7) !== LEN) throw wrongWireType(tag, 'entity_refs', LEN, start);
        r.skip(tag, end);
        break;
      default:
        r.skip(tag, end);
    }
  }
  r.endMessage(end);
  return attributes;
}

/** Reads an InstrumentationScope (r.pos..end) and returns its name. */
export function readScopeName(r: WireReader, end: number): string {
  let name = '';
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    switch (tag >>> 3) {
      case 1:
        if ((tag & 7) !== LEN) throw wrongWireType(tag, 'name', LEN, start);
        name = r.name(end);
        break;
      case 2:
      case 3:
        if ((tag & 7) !== LEN) throw wrongWireType(tag, tag >>> 3 === 2 ? 'version' : 'attributes', LEN, start);
        r.skip(tag, end);
        break;
      case 4:
        if ((tag & 7) !== VARINT) throw wrongWireType(tag, 'dropped_attributes_count', VARINT, start);
        r.skip(tag, end);
        break;
      default:
        r.skip(tag, end);
    }
  }
  r.endMessage(end);
  return name;
}

/** Reads a `resource` (field 1) or `scope` (field 1) sub-message occurrence with its path segment. */
export function readResourceField(r: WireReader, tag: number, start: number, end: number): Map<string, AttributeValue> {
  if ((tag & 7) !== LEN) throw wrongWireType(tag, 'resource', LEN, start);
  const resourceEnd = r.lengthDelimited(end);
  try {
    return readResource(r, resourceEnd);
  } catch (error) {
    throw withPath(error, 'resource');
  }
}

export function readScopeField(r: WireReader, tag: number, start: number, end: number): string {
  if ((tag & 7) !== LEN) throw wrongWireType(tag, 'scope', LEN, start);
  const scopeEnd = r.lengthDelimited(end);
  try {
    return readScopeName(r, scopeEnd);
  } catch (error) {
    throw withPath(error, 'scope');
  }
}

/** Checks the wire type of a known field we skip, then skips it. */
export function skipKnown(r: WireReader, tag: number, start: number, end: number, name: string, wireType: number): void {
  if ((tag & 7) !== wireType) throw wrongWireType(tag, name, wireType, start);
  r.skip(tag, end);
}
