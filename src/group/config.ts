// The `group` processor's config: the shape, the defaults and the YAML schema in one place.
//
//   processors:
//     group:
//       in_app_include: [com.acme.]            # substrings of module or file path: always in-app
//       in_app_exclude: [/app/generated/]      # never in-app (wins over include)
//       fingerprint_rules:
//         - name: upstream-timeout
//           type: TimeoutError                 # glob on the exception type
//           message: "*upstream*"              # glob (case-insensitive; [ ] are literal) or /regex/flags
//           attribute: { key: http.route, value: "/api/*" }
//           fingerprint: [upstream-timeout]    # fixed; "{{ default }}" keeps the computed one
//       cache_size: 2048                       # stack traces whose grouping is kept; 0: none
//       source_maps_directory: /srv/maps       # <dir>/<release>/<bundle>.js.map; '' (default): none

import { list, map, object, optional, scalar, withDefault, type Type, type ComponentType } from '../config/schema.js';
import { integer, text } from '../config/value-types.js';

export interface FingerprintRuleConfig {
  /** Recorded on each event the rule groups (`grouping.rule`). */
  readonly name: string;
  /** Glob on the exception type; '' matches any. */
  readonly type: string;
  /** Glob on the message (case-insensitive), or `/regex/flags`; '' matches any. */
  readonly message: string;
  /** The span's or log record's attribute; value is a glob on its text. */
  readonly attribute: { readonly key: string; readonly value: string } | null;
  /** Values hashed into the fingerprint; `{{ default }}`, `{{ type }}`, `{{ message }}`, `{{ attribute.KEY }}` expand. */
  readonly fingerprint: readonly string[];
}

export interface GroupProcessorConfig {
  readonly type: 'group';
  readonly id: string;
  readonly inAppInclude: readonly string[];
  readonly inAppExclude: readonly string[];
  /** First match wins, in order. */
  readonly fingerprintRules: readonly FingerprintRuleConfig[];
  /** Most stack traces (per service and type) whose parsed grouping is cached. 0 turns the cache off. */
  readonly cacheSize: number;
  /** Source maps of minified JavaScript, `<dir>/<release>/<bundle file>.map`; '' for none. */
  readonly sourceMapsDirectory: string;
}

export const GROUP_PROCESSOR_DEFAULTS: Omit<GroupProcessorConfig, 'type' | 'id'> = {
  inAppInclude: [],
  inAppExclude: [],
  fingerprintRules: [],
  cacheSize: 2048,
  sourceMapsDirectory: '',
};

/** The group processor that runs in every traces and logs pipeline that does not list one. */
// The id has a dot, which config ids cannot, so it never collides with a configured processor.
export const IMPLICIT_GROUP_PROCESSOR: GroupProcessorConfig = { type: 'group', id: 'implicit.group', ...GROUP_PROCESSOR_DEFAULTS };

const nonEmptyText: Type<string> = scalar('a non-empty string', (value) =>
  typeof value === 'string' && value !== '' ? value : undefined,
);

/** A glob, or `/regex/flags` that must compile. */
const messagePattern: Type<string> = scalar('a glob like "*timeout*" or a regex like /timeout/i', (value) => {
  if (typeof value !== 'string') return undefined;
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(value);
  if (regex === null) return value;
  try {
    new RegExp(regex[1]!, regex[2]);
    return value;
  } catch {
    return undefined;
  }
});

const rule = object(
  {
    name: nonEmptyText,
    type: withDefault(text, ''),
    message: withDefault(messagePattern, ''),
    attribute: optional(object({ key: nonEmptyText, value: withDefault(text, '*') })),
    fingerprint: list(nonEmptyText),
  },
  (d, path, problems) => {
    if (d.type === '' && d.message === '' && d.attribute === null) {
      problems.push({ path, message: 'expected at least one of type, message, attribute' });
    }
    if (d.fingerprint.length === 0) problems.push({ path: `${path}.fingerprint`, message: 'expected at least one value' });
  },
);

const rules = list(rule, (decoded, path, problems) => {
  const seen = new Set<string>();
  decoded.forEach((r, i) => {
    if (seen.has(r.name)) problems.push({ path: `${path}[${i}].name`, message: `duplicate rule name "${r.name}"` });
    seen.add(r.name);
  });
});

export const groupProcessorType: ComponentType<GroupProcessorConfig> = map(
  object({
    in_app_include: withDefault(list(nonEmptyText), GROUP_PROCESSOR_DEFAULTS.inAppInclude),
    in_app_exclude: withDefault(list(nonEmptyText), GROUP_PROCESSOR_DEFAULTS.inAppExclude),
    fingerprint_rules: withDefault(rules, GROUP_PROCESSOR_DEFAULTS.fingerprintRules as never),
    cache_size: withDefault(integer(0), GROUP_PROCESSOR_DEFAULTS.cacheSize),
    source_maps_directory: withDefault(text, GROUP_PROCESSOR_DEFAULTS.sourceMapsDirectory),
  }),
  (d) =>
    (id: string): GroupProcessorConfig => ({
      type: 'group',
      id,
      inAppInclude: d.in_app_include,
      inAppExclude: d.in_app_exclude,
      fingerprintRules: d.fingerprint_rules.map((r) => ({
        name: r.name,
        type: r.type,
        message: r.message,
        attribute: r.attribute,
        fingerprint: r.fingerprint,
      })),
      cacheSize: d.cache_size,
      sourceMapsDirectory: d.source_maps_directory,
    }),
);
