// A rule's filter, compiled once: exact values in a Set, regular expressions (`/.../`, anchored to
// the whole value) tried only on a value's first sight. Results are cached per distinct value in a
// bounded map, so the hot path runs no regex per event or span (habit 8).

import type { ErrorEvent, SpanTiming } from '../extract/error-event.js';
import { isRegex, type RuleFilter } from './config.js';

const CACHE_LIMIT = 1024;

export type ValueMatcher = (value: string) => boolean;

export function createValueMatcher(matchers: readonly string[] | null): ValueMatcher | null {
  if (matchers === null) return null;
  const exact = new Set(matchers.filter((m) => !isRegex(m)));
  const patterns = matchers.filter(isRegex).map((m) => new RegExp(`^(?:${m.slice(1, -1)})$`));
  if (patterns.length === 0) return (value) => exact.has(value);
  const cache = new Map<string, boolean>();
  return (value) => {
    if (exact.has(value)) return true;
    let matched = cache.get(value);
    if (matched === undefined) {
      matched = patterns.some((pattern) => pattern.test(value));
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(value, matched);
    }
    return matched;
  };
}

export interface CompiledFilter {
  event(event: ErrorEvent): boolean;
  span(timing: SpanTiming): boolean;
  /** Exact service names (no regex): services an absent rule expects even before any data. */
  readonly expectedServices: readonly string[];
}

export function compileFilter(filter: RuleFilter): CompiledFilter {
  const service = createValueMatcher(filter.service);
  const environment = createValueMatcher(filter.environment);
  const exceptionType = createValueMatcher(filter.exceptionType);
  const spanName = createValueMatcher(filter.spanName);
  const levels = filter.level === null ? null : new Set<string>(filter.level);
  return {
    event: (e) =>
      (service === null || service(e.service)) &&
      (environment === null || environment(e.environment)) &&
      (levels === null || levels.has(e.level)) &&
      (exceptionType === null || exceptionType(e.type)) &&
      (spanName === null || spanName(e.spanName)),
    span: (t) => (service === null || service(t.service)) && (spanName === null || spanName(t.spanName)),
    expectedServices: (filter.service ?? []).filter((m) => !isRegex(m)),
  };
}
