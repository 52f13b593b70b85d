// The envelope every OTLP export request shares: request → Resource<X> (field 1) → Scope<X>
// (field 2 of the resource entry, next to its resource in field 1 and schema_url in field 3) →
// items (field 2 of the scope entry, next to its scope in field 1 and schema_url in field 3).
// Traces, logs and metrics differ only in names and in how one item is read; this walks the
// envelope once for all three, checks every wire type, adds the path to errors as they unwind,
// and lists rejected items with their full path.

import type { AttributeValue, Rejection } from '../types.js';
import { WireReader, WireType, at, withPath, wrongWireType } from '../wire-reader.js';
import { readResourceField, readScopeField, skipKnown } from './decode-common.js';

const LEN = WireType.LENGTH_DELIMITED;

export interface EnvelopeSpec<Item, Scope, Resource> {
  /** Proto field names (for wire-type errors) and JSON-style path names (for paths). */
  readonly resources: readonly [field: string, path: string];
  readonly scopes: readonly [field: string, path: string];
  readonly items: readonly [field: string, path: string];
  /** Whether resource attributes and scope names are read (metrics only count, and skip them). */
  readonly readsResource: boolean;
  /** Reads one item (r.pos..end, ending at end); a string is why it is rejected. */
  readItem(r: WireReader, end: number): Item | string;
  scope(scopeName: string, items: Item[]): Scope;
  resource(attributes: Map<string, AttributeValue>, scopes: Scope[]): Resource;
}

export interface Envelope<Resource> {
  readonly resources: Resource[];
  /** Items read and kept. */
  readonly accepted: number;
  readonly rejected: Rejection[];
}

/** Walks one request; empty input is a valid empty request. */
export function readEnvelope<Item, Scope, Resource>(bytes: Uint8Array, spec: EnvelopeSpec<Item, Scope, Resource>): Envelope<Resource> {
  const walk = new EnvelopeWalk(new WireReader(bytes), spec);
  const r = walk.r;
  const end = r.length;
  const resources: Resource[] = [];
  const [field, path] = spec.resources;
  let index = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== LEN) throw wrongWireType(tag, field, LEN, start);
      const itemEnd = r.lengthDelimited(end);
      try {
        resources.push(walk.resource(itemEnd, index));
      } catch (error) {
        throw withPath(error, at(path, index));
      }
      index++;
    } else r.skip(tag, end);
  }
  return { resources, accepted: walk.accepted, rejected: walk.rejected };
}

const EMPTY_RESOURCE: Map<string, AttributeValue> = new Map();

class EnvelopeWalk<Item, Scope, Resource> {
  accepted = 0;
  readonly rejected: Rejection[] = [];

  constructor(
    readonly r: WireReader,
    private readonly spec: EnvelopeSpec<Item, Scope, Resource>,
  ) {}

  resource(end: number, resourceIndex: number): Resource {
    const { r, spec } = this;
    let attributes = EMPTY_RESOURCE;
    const scopes: Scope[] = [];
    const [field, path] = spec.scopes;
    let index = 0;
    while (r.pos < end) {
      const start = r.pos;
      const tag = r.tag();
      switch (tag >>> 3) {
        case 1:
          if (spec.readsResource) attributes = readResourceField(r, tag, start, end);
          else skipKnown(r, tag, start, end, 'resource', LEN);
          break;
        case 2: {
          if ((tag & 7) !== LEN) throw wrongWireType(tag, field, LEN, start);
          const itemEnd = r.lengthDelimited(end);
          try {
            scopes.push(this.scope(itemEnd, resourceIndex, index));
          } catch (error) {
            throw withPath(error, at(path, index));
          }
          index++;
          break;
        }
        case 3:
          skipKnown(r, tag, start, end, 'schema_url', LEN);
          break;
        default:
          r.skip(tag, end);
      }
    }
    r.endMessage(end);
    // A fresh Map per resource when none was sent, so no two batches share a mutable object.
    return spec.resource(attributes === EMPTY_RESOURCE ? new Map() : attributes, scopes);
  }

  private scope(end: number, resourceIndex: number, scopeIndex: number): Scope {
    const { r, spec } = this;
    let scopeName = '';
    const items: Item[] = [];
    const [field, path] = spec.items;
    let index = 0;
    while (r.pos < end) {
      const start = r.pos;
      const tag = r.tag();
      switch (tag >>> 3) {
        case 1:
          if (spec.readsResource) scopeName = readScopeField(r, tag, start, end);
          else skipKnown(r, tag, start, end, 'scope', LEN);
          break;
        case 2: {
          if ((tag & 7) !== LEN) throw wrongWireType(tag, field, LEN, start);
          const itemEnd = r.lengthDelimited(end);
          let item: Item | string;
          try {
            item = spec.readItem(r, itemEnd);
          } catch (error) {
            throw withPath(error, at(path, index));
          }
          if (typeof item === 'string') {
            this.rejected.push({
              path: `${spec.resources[1]}[${resourceIndex}].${spec.scopes[1]}[${scopeIndex}].${path}[${index}]`,
              reason: item,
            });
          } else {
            items.push(item);
            this.accepted++;
          }
          index++;
          break;
        }
        case 3:
          skipKnown(r, tag, start, end, 'schema_url', LEN);
          break;
        default:
          r.skip(tag, end);
      }
    }
    r.endMessage(end);
    return spec.scope(scopeName, items);
  }
}
