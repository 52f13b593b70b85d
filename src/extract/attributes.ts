// Reading typed values out of decoded attributes. Missing or wrongly typed values read as empty,
// so extraction never throws on what a sender chose to put in an attribute.

import type { AttributeValue, Attributes } from '../otlp/types.js';

export function stringAttribute(attributes: Attributes, key: string): string {
  const value = attributes.get(key);
  return typeof value === 'string' ? value : '';
}

/** The first of several keys that holds a non-empty string (for renamed semantic conventions). */
export function firstStringAttribute(attributes: Attributes, keys: readonly string[]): string {
  for (const key of keys) {
    const value = stringAttribute(attributes, key);
    if (value !== '') return value;
  }
  return '';
}

/** An integer attribute, also accepted when sent as a decimal string; 0 when absent. */
export function integerAttribute(attributes: Attributes, keys: readonly string[]): number {
  for (const key of keys) {
    const value = attributes.get(key);
    if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
    if (typeof value === 'bigint') return Number(value);
    if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  }
  return 0;
}

/** `true`, `"true"` (any case) → true; `false`, `"false"` → false; anything else → undefined. */
export function booleanAttribute(attributes: Attributes, key: string): boolean | undefined {
  const value = attributes.get(key);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

/** A log body or attribute as display text: strings as they are, anything else as JSON. */
export function valueAsText(value: AttributeValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'bigint' ? inner.toString() : inner instanceof Uint8Array ? Buffer.from(inner).toString('base64') : inner,
  );
}

/** Cut text longer than maxBytes (measured in UTF-16 units, close enough for a cap) at a line end. */
export function capText(text: string, maxBytes: number): string {
  if (text.length <= maxBytes) return text;
  const lineEnd = text.lastIndexOf('\n', maxBytes);
  const cut = lineEnd > maxBytes / 2 ? lineEnd : maxBytes;
  return `${text.slice(0, cut)}\n… [${text.length - cut} more characters cut]`;
}
