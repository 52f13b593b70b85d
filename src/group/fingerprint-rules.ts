// The `group` processor's fingerprint_rules, compiled: which events a rule matches (type glob,
// message glob or /regex/, attribute glob). What a matching rule hashes is fingerprint.ts's part.

import { valueAsText } from '../extract/attributes.js';
import type { ErrorEvent } from '../extract/error-event.js';
import type { FingerprintRuleConfig } from './config.js';

export interface FingerprintRule {
  readonly name: string;
  matches(event: ErrorEvent): boolean;
  readonly fingerprint: readonly string[];
}

export function compileRule(config: FingerprintRuleConfig): FingerprintRule {
  const type = config.type === '' ? null : globToRegExp(config.type, '');
  const message = config.message === '' ? null : messageMatcher(config.message);
  const attribute = config.attribute === null ? null : { key: config.attribute.key, value: globToRegExp(config.attribute.value, 's') };
  return {
    name: config.name,
    fingerprint: config.fingerprint,
    matches(event) {
      if (type !== null && !type.test(event.type)) return false;
      if (message !== null && !message.test(event.message)) return false;
      if (attribute !== null) {
        const value = event.attributes.get(attribute.key);
        if (value === undefined || !attribute.value.test(valueAsText(value))) return false;
      }
      return true;
    },
  };
}

/** `/regex/flags`, else a case-insensitive glob. */
function messageMatcher(pattern: string): RegExp {
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  if (regex !== null) return new RegExp(regex[1]!, regex[2]!.replace(/[gy]/g, ''));
  return globToRegExp(pattern, 'is');
}

/** `*` any run, `?` one character; everything else literal, `[` and `]` included. */
export function globToRegExp(glob: string, flags: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, flags);
}
