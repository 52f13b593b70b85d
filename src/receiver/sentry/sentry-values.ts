// Reading the loosely typed values of Sentry payloads: every SDK writes timestamps, ids and
// attributes its own way (seconds as floats or ISO strings, ids with or without dashes, typed
// `{value, type}` attributes in the v2 span and log items). Wrong types read as absent, never throw.

import type { AttributeValue } from '../../otlp/types.js';

/** The identity a project gives what it sends: the service and environment of its events. */
export interface ProjectIdentity {
  readonly projectId: string;
  readonly service: string;
  readonly environment: string;
}

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function textOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
}

/** A Sentry time (Unix seconds, a float, or an RFC 3339 string) in milliseconds; undefined when absent or unreadable. */
export function timeMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value * 1000;
  if (typeof value === 'string' && value !== '') {
    const numeric = Number(value);
    if (Number.isFinite(numeric) && numeric >= 0) return numeric * 1000;
    // Python SDKs send naive UTC times without a zone.
    const parsed = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
    if (Number.isFinite(parsed)) return parsed;
  }
  return undefined;
}

/** The same time in Unix nanoseconds, microseconds kept; 0n when unreadable. */
export function timeNanos(value: unknown): bigint {
  const ms = timeMs(value);
  return ms === undefined ? 0n : BigInt(Math.round(ms * 1000)) * 1000n;
}

/** Lower-case hex of `length` characters (dashes of a UUID dropped), not all zeros; '' otherwise. */
export function hexId(value: unknown, length: 32 | 16): string {
  if (typeof value !== 'string') return '';
  const hex = (length === 32 ? value.replaceAll('-', '') : value).toLowerCase();
  return hex.length === length && /^[0-9a-f]+$/.test(hex) && !/^0+$/.test(hex) ? hex : '';
}

/** A v2 typed attribute map (`{ key: { value, type } }`, or plain values) → attribute values. */
export function typedAttributes(value: unknown, into: Map<string, AttributeValue>, limit: number): void {
  if (!isRecord(value)) return;
  for (const [key, entry] of Object.entries(value)) {
    if (into.size >= limit) return;
    const plain = isRecord(entry) && 'value' in entry ? entry.value : entry;
    const attribute = asAttribute(plain);
    if (attribute !== undefined) into.set(key, attribute);
  }
}

/** Scalars as they are, lists and objects as JSON text (bounded by the item's size already). */
export function asAttribute(value: unknown): AttributeValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return JSON.stringify(value);
}

/** `GET /users/:id` → the method and the route; a name without a method is the route itself. */
export function routeOfTransaction(name: string): { method: string; route: string } {
  const match = /^([A-Z]{3,7}) (\/\S*)$/.exec(name);
  if (match !== null) return { method: match[1]!, route: match[2]! };
  return { method: '', route: name.startsWith('/') ? name : '' };
}
