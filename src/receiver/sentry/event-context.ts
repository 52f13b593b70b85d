// The context a Sentry event carries beside its exception, read into attributes (the scrub
// processor masks them like any attribute before anything is stored): tags by their own keys, the
// user (`user.id`, `user.email`, `user.name`, `client.address`), the request (`url.full`,
// `url.path`, `url.query`, `http.request.method`, `http.request.header.<name>`,
// `http.request.cookies`, `http.request.body`), the fingerprint and the last breadcrumbs. Bounded:
// at most MAX_TAGS tags and user fields, MAX_HEADERS headers, MAX_BREADCRUMBS breadcrumbs.

import type { AttributeValue } from '../../otlp/types.js';
import { asAttribute, isRecord, textOf, timeMs } from './sentry-values.js';

const MAX_BREADCRUMBS = 20;
const MAX_TAGS = 64;
const MAX_HEADERS = 64;
const MAX_FINGERPRINT_VALUES = 32;

/** Tags as `{k: v}` or `[[k, v], …]`, values as text. */
export function tagsOf(tags: unknown): Map<string, string> {
  const read = new Map<string, string>();
  const entries = Array.isArray(tags) ? tags : isRecord(tags) ? Object.entries(tags) : [];
  for (const entry of entries) {
    if (read.size >= MAX_TAGS) break;
    if (!Array.isArray(entry) || entry.length !== 2) continue;
    const key = textOf(entry[0]);
    const value = typeof entry[1] === 'boolean' ? String(entry[1]) : textOf(entry[1]);
    if (key !== '' && value !== '') read.set(key, value);
  }
  return read;
}

/** user → user.id, user.email, user.name, client.address (and any other field as user.<field>). */
export function readUser(user: unknown, into: Map<string, AttributeValue>): void {
  if (!isRecord(user)) return;
  const names: Readonly<Record<string, string>> = { id: 'user.id', email: 'user.email', username: 'user.name', ip_address: 'client.address' };
  for (const [key, value] of Object.entries(user).slice(0, MAX_TAGS)) {
    const attribute = asAttribute(value);
    if (attribute !== undefined && attribute !== '') into.set(names[key] ?? `user.${key}`, attribute);
  }
}

/** request → url.full, url.path, url.query, http.request.method, http.request.header.<name>, http.request.body. */
export function readRequest(request: unknown, into: Map<string, AttributeValue>): { method: string; path: string } {
  if (!isRecord(request)) return { method: '', path: '' };
  const url = textOf(request.url);
  const method = textOf(request.method).toUpperCase();
  let path = '';
  if (url !== '') {
    into.set('url.full', url);
    try {
      path = new URL(url, 'http://host').pathname;
    } catch {
      path = '';
    }
    if (path !== '') into.set('url.path', path);
  }
  if (method !== '') into.set('http.request.method', method);
  const query = typeof request.query_string === 'string' ? request.query_string : asAttribute(request.query_string);
  if (typeof query === 'string' && query !== '') into.set('url.query', query);
  const headers = Array.isArray(request.headers) ? request.headers : isRecord(request.headers) ? Object.entries(request.headers) : [];
  for (const entry of headers.slice(0, MAX_HEADERS)) {
    if (!Array.isArray(entry) || entry.length !== 2) continue;
    const value = textOf(entry[1]);
    if (value !== '') into.set(`http.request.header.${textOf(entry[0]).toLowerCase()}`, value);
  }
  const cookies = asAttribute(request.cookies);
  if (cookies !== undefined && cookies !== '') into.set('http.request.cookies', cookies);
  const body = asAttribute(request.data);
  if (body !== undefined && body !== '') into.set('http.request.body', body);
  return { method, path };
}

/** A list of strings (numbers read as text), or undefined when the event sets none. */
export function fingerprintOf(value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const values = value.slice(0, MAX_FINGERPRINT_VALUES).map(textOf).filter((text) => text !== '');
  return values.length === 0 ? undefined : values;
}

/** The last few breadcrumbs (type, category, level, message) as JSON text, oldest first. */
export function breadcrumbsOf(value: unknown): string {
  const list = isRecord(value) ? value.values : value;
  if (!Array.isArray(list) || list.length === 0) return '';
  const kept = list.slice(-MAX_BREADCRUMBS).filter(isRecord).map((crumb) => ({
    timestamp: timeMs(crumb.timestamp),
    type: textOf(crumb.type) || undefined,
    category: textOf(crumb.category) || undefined,
    level: textOf(crumb.level) || undefined,
    message: textOf(crumb.message) || undefined,
  }));
  return kept.length === 0 ? '' : JSON.stringify(kept);
}
