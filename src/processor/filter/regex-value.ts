// Regexes written in otel-config.yaml: checked when the config loads (a bad one is a problem at its
// YAML path) and compiled once when the processor is built, never per event. The scrub processor
// uses them too.

import { describe, INVALID, type Type } from '../../config/schema.js';

const SLASHED = /^\/(.+)\/([imsu]*)$/s;

/** Compiles `source`, or returns the engine's reason it is not a regex. */
export function compileRegex(source: string, flags = ''): RegExp | string {
  try {
    return new RegExp(source, flags);
  } catch (error) {
    return (error as Error).message;
  }
}

/** `/source/flags` → its parts; anything else → null (an exact value). */
export function slashedRegex(text: string): { source: string; flags: string } | null {
  const match = SLASHED.exec(text);
  return match === null ? null : { source: match[1], flags: match[2] };
}

/** A regex source, searched anywhere in the text (anchor it with ^ and $). */
export const regexSource: Type<string> = {
  decode(value, path, problems) {
    if (typeof value !== 'string' || value === '') {
      problems.push({ path, message: `expected a regular expression, got ${describe(value)}` });
      return INVALID;
    }
    const compiled = compileRegex(value);
    if (typeof compiled !== 'string') return value;
    problems.push({ path, message: `invalid regular expression: ${compiled}` });
    return INVALID;
  },
  keyPaths: (path) => [path],
};

/** An exact value, or `/source/flags` (flags among i, m, s, u) for a regex. */
export const exactOrRegex: Type<string> = {
  decode(value, path, problems) {
    if (typeof value !== 'string' || value === '') {
      problems.push({ path, message: `expected a name or a /regular expression/, got ${describe(value)}` });
      return INVALID;
    }
    const slashed = slashedRegex(value);
    const compiled = slashed === null ? null : compileRegex(slashed.source, slashed.flags);
    if (typeof compiled !== 'string') return value;
    problems.push({ path, message: `invalid regular expression: ${compiled}` });
    return INVALID;
  },
  keyPaths: (path) => [path],
};

/** One item or a list of them (`level: fatal` or `level: [error, fatal]`); absent or null: empty. */
export function oneOrMany<T>(item: Type<T>): Type<readonly T[]> {
  return {
    decode(value, path, problems) {
      if (value === undefined || value === null) return [];
      if (!Array.isArray(value)) {
        const single = item.decode(value, path, problems);
        return single === INVALID ? INVALID : [single];
      }
      const items = value.map((element, index) => item.decode(element, `${path}[${index}]`, problems));
      return items.includes(INVALID) ? INVALID : (items as T[]);
    },
    keyPaths: (path) => [path],
  };
}
