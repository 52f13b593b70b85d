// The `filter` processor's keys (processors.filter[/name]):
//   rules: list of { name, exception_type, message, attribute: { key, value }, service, level }
// Every field but `name` is optional, and a rule needs at least one of them. No defaults: with no
// rules nothing is dropped.

import { list, map, object, optional, scalar, withDefault, type Type, type ComponentType } from '../../config/schema.js';
import { oneOf } from '../../config/value-types.js';
import { exactOrRegex, oneOrMany, regexSource } from './regex-value.js';

export interface FilterRuleConfig {
  /** The `rule` label of faultline_events_filtered_total; unique within its processor. */
  readonly name: string;
  /** Exception types, each exact or `/regex/flags`; empty: any type. */
  readonly exceptionTypes: readonly string[];
  /** A regex searched in the message; null: any message. */
  readonly message: string | null;
  /** An attribute of the span or log record; `value` is a regex searched in it, null: present at all. */
  readonly attribute: { readonly key: string; readonly value: string | null } | null;
  /** Exact service names; empty: any service. */
  readonly services: readonly string[];
  /** Empty: any level. */
  readonly levels: readonly ('debug' | 'info' | 'warning' | 'error' | 'fatal' | 'critical')[];
}

export interface FilterProcessorConfig {
  readonly type: 'filter';
  readonly id: string;
  /** An event matching every field a rule gives, of any rule, is dropped. Regexes are validated sources. */
  readonly rules: readonly FilterRuleConfig[];
}

const LEVELS = ['debug', 'info', 'warning', 'error', 'fatal', 'critical'] as const;

const CONDITIONS = ['exception_type', 'message', 'attribute', 'service', 'level'] as const;

const nonEmptyText: Type<string> = scalar('a non-empty string', (value) =>
  typeof value === 'string' && value !== '' ? value : undefined,
);

const rule: Type<FilterRuleConfig> = map(
  object(
    {
      name: nonEmptyText,
      exception_type: oneOrMany(exactOrRegex),
      message: optional(regexSource),
      attribute: optional(object({ key: nonEmptyText, value: optional(regexSource) })),
      service: oneOrMany(nonEmptyText),
      level: oneOrMany(oneOf(LEVELS)),
    },
    (d, path, problems) => {
      const given =
        d.exception_type.length > 0 || d.message !== null || d.attribute !== null || d.service.length > 0 || d.level.length > 0;
      if (!given) problems.push({ path, message: `expected at least one of ${CONDITIONS.join(', ')}` });
    },
  ),
  (d) => ({
    name: d.name,
    exceptionTypes: d.exception_type,
    message: d.message,
    attribute: d.attribute,
    services: d.service,
    levels: d.level,
  }),
);

const rules = list(rule, (decoded, path, problems) => {
  decoded.forEach((item, index) => {
    if (decoded.findIndex((other) => other.name === item.name) !== index) {
      problems.push({ path: `${path}[${index}].name`, message: `rule name "${item.name}" is used twice` });
    }
  });
});

export const filterProcessorType: ComponentType<FilterProcessorConfig> = map(
  object({ rules: withDefault(rules, []) }),
  (d) =>
    (id: string): FilterProcessorConfig => ({ type: 'filter', id, rules: d.rules }),
);
