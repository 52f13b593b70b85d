// The `alerts` exporter's configuration: evaluation settings, the rules and the notification
// channels (whose schema belongs to notify/config.ts). Keys and defaults are in docs/config.md.
// Every rule is checked at load with its YAML path: keys that do not apply to its type, thresholds
// that can never (or always) be crossed, filters and group_by labels its data does not carry,
// templates that name unknown variables, unknown channels, duplicate names. A cooldown shorter
// than evaluation_interval is a warning, not a problem (alertsConfigWarnings): notifications can
// only go out at evaluations, so the cooldown is in effect rounded up to the interval.

import { hostname } from 'node:os';
import { channelsSchema, type ChannelKeys, type ChannelsConfig } from '../notify/config.js';
import { INVALID, list, map, object, optional, scalar, withDefault, describe, isMap, joinPath } from '../config/schema.js';
import type { ConfigProblem, DecodedFields, Type } from '../config/schema.js';
import type { FaultlineConfig } from '../config/types.js';
import { boolean, duration, integer, oneOf, text } from '../config/value-types.js';
import { parseDuration } from '../config/durations.js';
import type { AlertSeverity } from '../notify/notification.js';
import { RULE_TYPES, type RuleType } from './rule-types.js';
import { templateVariables } from './template.js';

export { RULE_TYPES, type RuleType } from './rule-types.js';
export const GROUP_LABELS = ['service', 'environment', 'level', 'exception_type', 'span_name', 'fingerprint'] as const;
export type GroupLabel = (typeof GROUP_LABELS)[number];
const LEVELS = ['debug', 'info', 'warning', 'error', 'fatal', 'critical'] as const;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const QUANTILES = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 } as const;

/** Each matcher is an exact value, or a regular expression written between slashes (`/^Timeout/`). */
export interface RuleFilter {
  readonly service: readonly string[] | null;
  readonly environment: readonly string[] | null;
  readonly level: readonly (typeof LEVELS)[number][] | null;
  readonly exceptionType: readonly string[] | null;
  readonly spanName: readonly string[] | null;
}

export interface AlertRuleConfig {
  readonly name: string;
  readonly type: RuleType;
  /** The rule's YAML path, e.g. `exporters.alerts.rules[0]`, for log lines. */
  readonly path: string;
  readonly filter: RuleFilter;
  readonly groupBy: readonly GroupLabel[];
  readonly windowMs: number;
  readonly forMs: number;
  /** How long a cleared condition must stay clear before the alert resolves (flap damping). */
  readonly keepFiringForMs: number;
  readonly cooldownMs: number;
  readonly repeat: 'never' | 'cooldown';
  readonly severity: AlertSeverity;
  readonly operator: '>' | '>=';
  /** Events (threshold), a ratio 0–1 (error_ratio) or seconds (latency); 0 for the other types. */
  readonly threshold: number;
  /** 0.5, 0.9, 0.95 or 0.99 (latency only). */
  readonly quantile: number;
  readonly minRequests: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Empty: every channel of the exporter. */
  readonly channels: readonly string[];
  readonly notifyResolved: boolean;
}

export interface AlertsExporterConfig {
  readonly type: 'alerts';
  readonly id: string;
  readonly evaluationIntervalMs: number;
  /** Alert groups (and window series) one rule keeps at most; past it new groups are not tracked. */
  readonly maxGroupsPerRule: number;
  /** Fingerprints remembered for new_group when events carry no grouping. */
  readonly maxFingerprints: number;
  /** Replicas sharing a lease in service.storage so that one of them notifies (ha/); null: this instance notifies. */
  readonly ha: AlertsHaConfig | null;
  readonly rules: readonly AlertRuleConfig[];
  readonly channels: ChannelsConfig;
  /**
   * The id of the groups exporter whose new_group/regression signals (and group links) this
   * exporter follows. Unset: the one groups exporter configured, else none (config/validate.ts
   * link, see alertsLink). '' after validation: no groups exporter to follow.
   */
  readonly groups: string;
  /**
   * service.public_url, copied here at validation (config/validate.ts): the base of the group links
   * in notifications. '' derives it from the admin endpoint (admin/public-url.ts).
   */
  readonly publicUrl: string;
}

export interface AlertsHaConfig {
  /** This replica's name in the lease and logs; default hostname-pid. */
  readonly replica: string;
  readonly leaseDurationMs: number;
}

export const ALERTS_EXPORTER_DEFAULTS = {
  evaluationIntervalMs: 15_000,
  maxGroupsPerRule: 1000,
  maxFingerprints: 10_000,
  windowMs: 5 * 60_000,
  cooldownMs: 5 * 60_000,
  minRequests: 1,
} as const;

/** Which data each type reads: error events, span timings, or both (absent). */
export const SPAN_RULE_TYPES: readonly RuleType[] = ['error_ratio', 'latency', 'absent'];
const SIGNAL_RULE_TYPES: readonly RuleType[] = ['new_group', 'regression'];

const GROUP_LABELS_BY_TYPE: Readonly<Record<RuleType, readonly GroupLabel[]>> = {
  threshold: GROUP_LABELS,
  new_group: GROUP_LABELS,
  regression: GROUP_LABELS,
  error_ratio: ['service', 'span_name'],
  latency: ['service', 'span_name'],
  absent: ['service'],
};
const DEFAULT_GROUP_BY: Readonly<Record<RuleType, readonly GroupLabel[]>> = {
  threshold: ['service', 'environment'],
  new_group: ['service', 'environment', 'exception_type', 'fingerprint'],
  regression: ['service', 'environment', 'exception_type', 'fingerprint'],
  error_ratio: ['service'],
  latency: ['service'],
  absent: ['service'],
};

/** Alerts about one error group, whose notifications carry its id and link: the signal rules, and rules with one alert per fingerprint. */
export function isAboutOneGroup(rule: { readonly type: RuleType; readonly groupBy: readonly GroupLabel[] }): boolean {
  return SIGNAL_RULE_TYPES.includes(rule.type) || rule.groupBy.includes('fingerprint');
}

/** A string or a list of strings; `/.../` must compile as a regular expression. */
const matchers: Type<readonly string[]> = {
  decode(value, path, problems) {
    const values = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string')) {
      problems.push({ path, message: `expected a string or a list of strings (/regex/ allowed), got ${describe(value)}` });
      return INVALID;
    }
    let valid = true;
    for (const v of values as string[]) {
      if (!isRegex(v)) continue;
      try {
        new RegExp(v.slice(1, -1));
      } catch (error) {
        problems.push({ path, message: `invalid regular expression ${v}: ${(error as Error).message}` });
        valid = false;
      }
    }
    return valid ? (values as string[]) : INVALID;
  },
  keyPaths: (path) => [path],
};

export function isRegex(matcher: string): boolean {
  return matcher.length >= 2 && matcher.startsWith('/') && matcher.endsWith('/');
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A map of label names to strings (labels, annotations). */
const stringMap: Type<Readonly<Record<string, string>>> = {
  decode(value, path, problems) {
    if (value === undefined || value === null) return {};
    if (!isMap(value)) {
      problems.push({ path, message: `expected a map of names to strings, got ${describe(value)}` });
      return INVALID;
    }
    const decoded: Record<string, string> = {};
    let valid = true;
    for (const [key, item] of Object.entries(value)) {
      if (!LABEL_NAME.test(key)) {
        problems.push({ path: joinPath(path, key), message: 'expected a name of letters, digits and _' });
        valid = false;
      } else if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
        problems.push({ path: joinPath(path, key), message: `expected a string, got ${describe(item)}` });
        valid = false;
      } else decoded[key] = String(item);
    }
    return valid ? decoded : INVALID;
  },
  keyPaths: (path) => [path],
};

/** A number, or a duration string (→ seconds) for latency rules. */
const thresholdValue: Type<number | { seconds: number }> = scalar(
  'a number, or a duration like 2s for latency rules',
  (value) => {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value !== 'string') return undefined;
    const ms = parseDuration(value);
    return ms === null ? undefined : { seconds: ms / 1000 };
  },
);

const ruleFields = {
  name: text,
  type: oneOf(RULE_TYPES),
  filter: object({
    service: optional(matchers),
    environment: optional(matchers),
    level: optional(list(oneOf(LEVELS))),
    exception_type: optional(matchers),
    span_name: optional(matchers),
  }),
  group_by: optional(list(oneOf(GROUP_LABELS))),
  window: withDefault(duration, ALERTS_EXPORTER_DEFAULTS.windowMs),
  for: withDefault(duration, 0),
  keep_firing_for: withDefault(duration, 0),
  cooldown: withDefault(duration, ALERTS_EXPORTER_DEFAULTS.cooldownMs),
  repeat: withDefault(oneOf(['never', 'cooldown'] as const), 'never' as const),
  severity: withDefault(oneOf(SEVERITIES), 'medium' as const),
  operator: withDefault(oneOf(['>', '>='] as const), '>' as const),
  threshold: optional(thresholdValue),
  quantile: optional(oneOf(Object.keys(QUANTILES) as (keyof typeof QUANTILES)[])),
  min_requests: optional(integer(1)),
  labels: stringMap,
  annotations: stringMap,
  channels: withDefault(list(text), []),
  notify_resolved: withDefault(boolean, false),
};

const ruleObject = object(ruleFields, checkRule);

const rule: Type<AlertRuleConfig> = {
  decode(value, path, problems) {
    const d = ruleObject.decode(value, path, problems);
    if (d === INVALID) return INVALID;
    const threshold = d.threshold === null ? 0 : typeof d.threshold === 'number' ? d.threshold : d.threshold.seconds;
    return {
      name: d.name,
      type: d.type,
      path,
      filter: {
        service: d.filter.service,
        environment: d.filter.environment,
        level: d.filter.level,
        exceptionType: d.filter.exception_type,
        spanName: d.filter.span_name,
      },
      groupBy: [...new Set(d.group_by ?? DEFAULT_GROUP_BY[d.type])],
      windowMs: d.window,
      forMs: d.for,
      keepFiringForMs: d.keep_firing_for,
      cooldownMs: d.cooldown,
      repeat: d.repeat,
      severity: d.severity,
      operator: d.operator,
      threshold,
      quantile: d.type === 'latency' ? QUANTILES[d.quantile ?? 'p95'] : 0,
      minRequests: d.min_requests ?? ALERTS_EXPORTER_DEFAULTS.minRequests,
      labels: d.labels,
      annotations: d.annotations,
      channels: d.channels,
      notifyResolved: d.notify_resolved,
    };
  },
  keyPaths: (path) => [path],
};

type DecodedRule = DecodedFields<typeof ruleFields>;

/** The problems one rule can have on its own; a rule that could never (or would always) fire is refused at load. */
function checkRule(d: DecodedRule, path: string, problems: ConfigProblem[]): void {
  const at = (key: string, message: string) => problems.push({ path: joinPath(path, key), message });
  const type = d.type;
  const needsThreshold = type === 'threshold' || type === 'error_ratio' || type === 'latency';
  if (d.name === '') at('name', 'expected a non-empty name');
  if (needsThreshold && d.threshold === null) at('threshold', `a ${type} rule needs a threshold`);
  if (!needsThreshold && d.threshold !== null) at('threshold', `does not apply to ${type} rules`);
  if (d.quantile !== null && type !== 'latency') at('quantile', 'applies to latency rules only');
  if (d.min_requests !== null && type !== 'error_ratio') at('min_requests', 'applies to error_ratio rules only');
  if (d.for > 0 && SIGNAL_RULE_TYPES.includes(type)) at('for', `${type} rules fire at once on the signal; remove for`);
  if (d.window <= 0) at('window', 'expected a duration above 0');
  const t = d.threshold;
  if (type === 'threshold' && t !== null) {
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0) at('threshold', 'expected a whole number of events >= 0');
    else if (t === 0 && d.operator === '>=') at('threshold', '">= 0" is always true; the rule would fire without any event');
  }
  if (type === 'error_ratio' && t !== null) {
    if (typeof t !== 'number' || t < 0 || t > 1) at('threshold', 'expected a ratio from 0 to 1 (0.05 is 5%)');
    else if (t === 1 && d.operator === '>') at('threshold', 'a ratio can never exceed 1; the rule could never fire');
    else if (t === 0 && d.operator === '>=') at('threshold', '">= 0" is always true; the rule would fire without any error');
  }
  if (type === 'latency' && t !== null) {
    if (typeof t === 'number') at('threshold', 'expected a duration like 2s');
    else if (t.seconds === 0 && d.operator === '>=') at('threshold', '">= 0s" is always true');
  }
  if (SPAN_RULE_TYPES.includes(type)) {
    for (const key of ['environment', 'level', 'exception_type'] as const) {
      if (d.filter[key] !== null) at(`filter.${key}`, `${type} rules read span timings, which carry no ${key}; the filter could never match`);
    }
    if (type === 'absent' && d.filter.span_name !== null) at('filter.span_name', 'absent rules watch whole services');
  }
  const allowed = GROUP_LABELS_BY_TYPE[type];
  (d.group_by ?? []).forEach((label, index) => {
    if (!allowed.includes(label)) at(`group_by[${index}]`, `${type} rules can group by ${allowed.join(', ')} only`);
  });
  const groupBy = d.group_by ?? DEFAULT_GROUP_BY[type];
  const known = new Set<string>([...groupBy, ...Object.keys(d.labels), 'rule', 'value', 'threshold', 'severity', 'window']);
  if (SIGNAL_RULE_TYPES.includes(type) || type === 'threshold') ['title', 'message'].forEach((name) => known.add(name));
  if (isAboutOneGroup({ type, groupBy })) ['group_id', 'group_url'].forEach((name) => known.add(name));
  for (const [key, template] of Object.entries(d.annotations)) {
    for (const variable of templateVariables(template)) {
      if (!known.has(variable)) at(`annotations.${key}`, `{{ ${variable} }} is not known here; known: ${[...known].join(', ')}`);
    }
  }
}

const LEASE_DIR_REMOVED =
  'ha.lease_dir is gone: the lease and the leader\'s state now live in service.storage. Remove the key; replicas must share one storage: ' +
  'service.storage.postgres (replicas on any hosts), or service.storage.sqlite.path naming one file (replicas on one host)';

/** A key that no longer exists: present, it is a problem saying what replaced it; undocumented (no key paths). */
function removedKey(message: string): Type<null> {
  return {
    decode(value, path, problems) {
      if (value !== undefined) problems.push({ path, message });
      return null;
    },
    keyPaths: () => [],
  };
}

const alertsFields = (channelTypes: readonly ChannelKeys[]) => ({
  evaluation_interval: withDefault(duration, ALERTS_EXPORTER_DEFAULTS.evaluationIntervalMs),
  max_groups: withDefault(integer(1), ALERTS_EXPORTER_DEFAULTS.maxGroupsPerRule),
  max_fingerprints: withDefault(integer(1), ALERTS_EXPORTER_DEFAULTS.maxFingerprints),
  groups: withDefault(text, ''),
  ha: optional(object({ lease_dir: removedKey(LEASE_DIR_REMOVED), replica: optional(text), lease_duration: optional(duration) })),
  rules: withDefault(list(rule), []),
  channels: channelsSchema(channelTypes),
});

/** The `exporters.alerts` schema, its channels decoded with the channel types given (src/components.ts CHANNELS). */
export const alertsExporterSchema = (channelTypes: readonly ChannelKeys[]) =>
  map(
    object(alertsFields(channelTypes), (d, path, problems) => {
      if (d.evaluation_interval < 1000) {
        problems.push({ path: joinPath(path, 'evaluation_interval'), message: 'expected at least 1s' });
      }
      if (d.ha !== null) checkHa(d.ha, d.evaluation_interval, joinPath(path, 'ha'), problems);
      const channels = channelNames(d.channels);
      const seen = new Set<string>();
      d.rules.forEach((r, index) => {
        const rulePath = `${joinPath(path, 'rules')}[${index}]`;
        if (seen.has(r.name)) problems.push({ path: `${rulePath}.name`, message: `another rule is named "${r.name}"` });
        seen.add(r.name);
        r.channels.forEach((channel, i) => {
          if (!channels.includes(channel)) {
            const known = channels.length === 0 ? 'none' : channels.join(', ');
            problems.push({ path: `${rulePath}.channels[${i}]`, message: `channel "${channel}" is not configured; configured: ${known}` });
          }
        });
      });
    }),
    (d) =>
      (id: string): AlertsExporterConfig => ({
        type: 'alerts',
        id,
        evaluationIntervalMs: d.evaluation_interval,
        groups: d.groups,
        maxGroupsPerRule: d.max_groups,
        maxFingerprints: d.max_fingerprints,
        ha:
          d.ha === null
            ? null
            : {
                replica: d.ha.replica ?? `${hostname()}-${process.pid}`,
                leaseDurationMs: d.ha.lease_duration ?? 3 * d.evaluation_interval,
              },
        rules: d.rules,
        channels: d.channels,
        publicUrl: '',
      }),
  );

/** The holder renews at every evaluation, so a lease must outlast two of them to never lapse. */
function checkHa(
  ha: { replica: string | null; lease_duration: number | null },
  intervalMs: number,
  path: string,
  problems: ConfigProblem[],
): void {
  if (ha.replica === '') problems.push({ path: joinPath(path, 'replica'), message: 'expected a non-empty name' });
  if (ha.lease_duration !== null && ha.lease_duration < 2 * intervalMs) {
    problems.push({
      path: joinPath(path, 'lease_duration'),
      message: `expected at least 2 × evaluation_interval (${2 * intervalMs}ms): the holder renews once per evaluation`,
    });
  }
}

/** The names of the configured channels, in the order written. */
export function channelNames(channels: ChannelsConfig): string[] {
  return [...channels.keys()];
}

/**
 * What is allowed but probably not meant (logged as warnings at start, with the rule's path).
 * A cooldown shorter than evaluation_interval cannot be honoured more finely than the
 * interval, so it is a warning (the rule still works, with the interval as its cooldown).
 */
export function alertsConfigWarnings(config: AlertsExporterConfig): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  for (const r of config.rules) {
    if (r.cooldownMs < config.evaluationIntervalMs && !SIGNAL_RULE_TYPES.includes(r.type)) {
      warnings.push({
        path: `${r.path}.cooldown`,
        message: `cooldown ${r.cooldownMs}ms is shorter than evaluation_interval ${config.evaluationIntervalMs}ms; notifications can only go out once per evaluation, so the cooldown is in effect ${config.evaluationIntervalMs}ms`,
      });
    }
    if (r.windowMs < config.evaluationIntervalMs && !SIGNAL_RULE_TYPES.includes(r.type)) {
      warnings.push({
        path: `${r.path}.window`,
        message: `window ${r.windowMs}ms is shorter than evaluation_interval ${config.evaluationIntervalMs}ms; data between evaluations is never seen`,
      });
    }
  }
  return warnings;
}

/**
 * Which groups exporter an alerts exporter follows: the one `groups` names, which must be a
 * configured groups exporter; unset, the only groups exporter configured (none: it follows none,
 * and new_group and regression rules never fire); with several, it must say which.
 */
export function alertsLink(config: AlertsExporterConfig, configured: FaultlineConfig, path: string): AlertsExporterConfig | ConfigProblem[] {
  const groups = [...configured.exporters.values()].filter((exporter) => exporter.type === 'groups').map((exporter) => exporter.id);
  const known = groups.length === 0 ? 'none' : groups.join(', ');
  if (config.groups !== '') {
    if (groups.includes(config.groups)) return config;
    return [{ path: joinPath(path, 'groups'), message: `groups exporter "${config.groups}" is not configured; configured: ${known}` }];
  }
  if (groups.length <= 1) return { ...config, groups: groups[0] ?? '' };
  return [{ path: joinPath(path, 'groups'), message: `expected the id of the groups exporter to follow, one of ${known}` }];
}
