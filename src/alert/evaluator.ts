// The alert evaluator: consumes error events and span timings into each rule's windows, and on
// every tick(now) moves each rule's groups through their state machine (alert-state.ts), hands the
// notifications that result to the NotificationSink, then refreshes the sink with every announced
// firing alert. new_group and regression rules fire at once on the group signals (or, for events
// that carry no grouping, on the first event of a service + exception type). Time comes only from
// `now` and the injected clock; the caller owns timers and persistence (alerts-exporter.ts).

import { createHash } from 'node:crypto';
import type { ErrorEvent, Extracted } from '../extract/error-event.js';
import type { GroupSignal } from '../group/signals.js';
import type { Clock } from '../internal/clock.js';
import type { AlertNotification, NotificationSink } from '../notify/notification.js';
import type { AlertMetrics } from './alert-metrics.js';
import { isForgettable, newGroupState, step, type AlertState, type GroupState } from './alert-state.js';
import { buildNotification, groupKeyOf, type GroupLinks, type GroupSample } from './build-notification.js';
import type { AlertRuleConfig, AlertsExporterConfig } from './config.js';
import { compileFilter, type CompiledFilter } from './filter.js';
import { adoptNotified } from './ha/adopt-notified.js';
import { eventLabel, fallbackFingerprint, labelsKey } from './group-table.js';
import { createRuleMeasure, type Measurement, type RuleMeasure } from './rule-measures.js';
import type { PersistedState } from './state-store.js';

export interface Transition {
  readonly rule: string;
  readonly groupKey: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly from: AlertState;
  readonly to: AlertState;
  readonly value: number;
  /** The notification handed to the sink at this step, if one was. */
  readonly notification: AlertNotification | null;
}

export interface GroupView extends Readonly<GroupState> {
  readonly groupKey: string;
}

export interface RuleView {
  readonly rule: AlertRuleConfig;
  readonly groups: readonly GroupView[];
}

export interface Evaluator {
  /** Records a batch into the windows (the exporter's consumer). */
  consume(batch: Extracted): void;
  /** new_group / regression: fires at once. */
  signal(signal: GroupSignal): Transition[];
  tick(now: number): Transition[];
  /** Every rule with its groups: alert state, and the latest value of groups being watched. */
  view(): RuleView[];
  /** True when state changed since the last persisted() call. */
  readonly dirty: boolean;
  persisted(now: number): PersistedState;
  restore(state: PersistedState, now: number): void;
  /**
   * HA takeover: keeps this replica's condition state and takes what was actually notified from
   * the previous leader's state (null: unknown, so nothing counts as notified). Sends the resolves
   * still owed. See ha/adopt-notified.ts.
   */
  adopt(state: PersistedState | null, now: number): Transition[];
}

interface RuleRuntime {
  readonly config: AlertRuleConfig;
  readonly filter: CompiledFilter;
  readonly measure: RuleMeasure;
  readonly signature: string;
  readonly groups: Map<string, GroupState>;
  readonly samples: Map<string, GroupSample>;
  /** Groups being watched whose condition does not hold, as last measured (for the API). */
  watched: readonly Measurement[];
  /** After a restore, firing groups are held until the window holds fresh data. */
  holdResolveUntil: number;
}

const SIGNAL_TYPES = new Set(['new_group', 'regression']);

export function createEvaluator(options: {
  config: AlertsExporterConfig;
  sink: NotificationSink;
  clock: Clock;
  metrics: AlertMetrics;
  /** Every configured channel, for rules that list none. */
  channels: readonly string[];
  /** Ids and links of error groups, for alerts about one group; absent: notifications carry none. */
  links?: GroupLinks;
  onSinkError?: (error: unknown) => void;
}): Evaluator {
  const { config, sink, clock, metrics, channels, links } = options;
  const startedAt = clock.now();
  const rules: RuleRuntime[] = config.rules.map((rule) => ({
    config: rule,
    filter: compileFilter(rule.filter),
    measure: createRuleMeasure(rule, config.maxGroupsPerRule, () => metrics.limitHits.inc({ rule: rule.name, limit: 'max_groups' }), startedAt),
    signature: signatureOf(rule),
    groups: new Map(),
    samples: new Map(),
    watched: [],
    holdResolveUntil: 0,
  }));
  const measured = rules.filter((r) => !SIGNAL_TYPES.has(r.config.type));
  const eventRules = measured.filter((r) => r.config.type === 'threshold' || r.config.type === 'absent');
  const spanRules = measured.filter((r) => r.config.type !== 'threshold');
  const watchesNewGroups = rules.some((r) => r.config.type === 'new_group');
  const fingerprints = new Map<string, true>();
  let dirty = false;

  function deliver(notification: AlertNotification): void {
    try {
      sink.send(notification);
    } catch (error) {
      options.onSinkError?.(error);
    }
  }

  /** One state-machine step for one group; hands any notification to the sink. */
  function advance(rule: RuleRuntime, group: GroupState, active: boolean, now: number, hold = false): Transition | null {
    const from = group.state;
    const stepRule = SIGNAL_TYPES.has(rule.config.type) ? { ...rule.config, keepFiringForMs: rule.config.windowMs } : rule.config;
    const kind = step(group, active, now, stepRule, hold);
    const notification = kind === null ? null : buildNotification(rule.config, group, kind, now, rule.samples.get(group.key), channels, links);
    if (notification !== null) deliver(notification);
    if (from === group.state && notification === null) return null;
    dirty = true;
    const groupKey = groupKeyOf(rule.config.name, group.labels);
    return { rule: rule.config.name, groupKey, labels: group.labels, from, to: group.state, value: group.value, notification };
  }

  function rememberFingerprint(fingerprint: string): boolean {
    if (fingerprints.has(fingerprint)) return false;
    if (fingerprints.size >= config.maxFingerprints) {
      fingerprints.delete(fingerprints.keys().next().value!);
      metrics.limitHits.inc({ rule: '', limit: 'max_fingerprints' });
    }
    fingerprints.set(fingerprint, true);
    dirty = true;
    return true;
  }

  const evaluator: Evaluator = {
    consume(batch) {
      const now = clock.now();
      for (const event of batch.events) {
        for (const rule of eventRules) rule.measure.recordEvent(event, now);
        if (watchesNewGroups && event.grouping === undefined) {
          const fingerprint = fallbackFingerprint(event.service, event.type);
          if (rememberFingerprint(fingerprint)) {
            evaluator.signal({ kind: 'new_group', groupId: '', fingerprint, title: event.type, event });
          }
        }
      }
      for (const timing of batch.timings) for (const rule of spanRules) rule.measure.recordSpan(timing, now);
    },

    signal(signal) {
      const now = clock.now();
      const transitions: Transition[] = [];
      for (const rule of rules) {
        if (rule.config.type !== signal.kind || !rule.filter.event(signal.event)) continue;
        const labels = signalLabels(rule.config, signal);
        const key = labelsKey(labels);
        let group = rule.groups.get(key);
        if (group === undefined) {
          if (rule.groups.size >= config.maxGroupsPerRule) {
            metrics.limitHits.inc({ rule: rule.config.name, limit: 'max_groups' });
            continue;
          }
          group = newGroupState(key, labels);
          rule.groups.set(key, group);
        }
        group.value = 1;
        rule.samples.set(key, { event: signal.event, title: signal.title, groupId: signal.groupId });
        const transition = advance(rule, group, true, now);
        if (transition !== null) transitions.push(transition);
      }
      updateGauge();
      return transitions;
    },

    tick(now) {
      const transitions: Transition[] = [];
      const firing: AlertNotification[] = [];
      for (const rule of rules) {
        const hold = now < rule.holdResolveUntil;
        const seen = new Set<string>();
        const watched: Measurement[] = [];
        for (const m of rule.measure.measure(now)) {
          let group = rule.groups.get(m.key);
          if (group === undefined) {
            if (!m.active) {
              watched.push(m);
              continue;
            }
            group = newGroupState(m.key, m.labels);
            rule.groups.set(m.key, group);
          }
          seen.add(m.key);
          group.value = m.value;
          if (m.sampleEvent !== undefined || m.sampleTraceId) rule.samples.set(m.key, { event: m.sampleEvent, traceId: m.sampleTraceId });
          const transition = advance(rule, group, m.active, now, hold);
          if (transition !== null) transitions.push(transition);
        }
        rule.watched = watched;
        for (const group of rule.groups.values()) {
          if (!seen.has(group.key)) {
            const transition = advance(rule, group, false, now, hold && !SIGNAL_TYPES.has(rule.config.type));
            if (transition !== null) transitions.push(transition);
          }
          if (isForgettable(group, now)) {
            rule.groups.delete(group.key);
            rule.samples.delete(group.key);
            dirty = true;
          } else if (group.state === 'firing' && group.notified) {
            const notification = buildNotification(rule.config, group, 'firing', group.lastNotifiedAt, rule.samples.get(group.key), channels, links);
            firing.push(notification);
          }
        }
      }
      try {
        sink.refresh(firing);
      } catch (error) {
        options.onSinkError?.(error);
      }
      updateGauge();
      return transitions;
    },

    view() {
      return rules.map((rule) => ({
        rule: rule.config,
        groups: [
          ...[...rule.groups.values()].map((g) => ({ ...g, groupKey: groupKeyOf(rule.config.name, g.labels) })),
          ...rule.watched.map((m) => ({ ...newGroupState(m.key, m.labels), value: m.value, groupKey: groupKeyOf(rule.config.name, m.labels) })),
        ],
      }));
    },

    get dirty() {
      return dirty;
    },

    persisted(now) {
      dirty = false;
      const persistedRules: Record<string, { signature: string; groups: GroupState[] }> = {};
      for (const rule of rules) persistedRules[rule.config.name] = { signature: rule.signature, groups: [...rule.groups.values()] };
      return { version: 1, savedAt: now, rules: persistedRules, fingerprints: [...fingerprints.keys()] };
    },

    restore(state, now) {
      for (const rule of rules) {
        const saved = state.rules[rule.config.name];
        if (saved === undefined || saved.signature !== rule.signature) continue;
        for (const group of saved.groups.slice(0, config.maxGroupsPerRule)) {
          if (!isGroupState(group)) continue;
          rule.groups.set(group.key, { ...group, labels: { ...group.labels } });
        }
        rule.holdResolveUntil = now + rule.config.windowMs;
      }
      for (const fingerprint of state.fingerprints.slice(-config.maxFingerprints)) {
        if (typeof fingerprint === 'string') fingerprints.set(fingerprint, true);
      }
      updateGauge();
    },

    adopt(state, now) {
      const transitions: Transition[] = [];
      for (const rule of rules) {
        const saved = state?.rules[rule.config.name];
        const known = saved?.signature === rule.signature ? saved.groups.filter(isGroupState) : [];
        const theirs = new Map(known.map((group) => [group.key, group]));
        for (const group of rule.groups.values()) {
          if (adoptNotified(group, theirs.get(group.key)) !== 'resolved' || !rule.config.notifyResolved) continue;
          const notification = buildNotification(rule.config, group, 'resolved', now, rule.samples.get(group.key), channels, links);
          deliver(notification);
          const groupKey = groupKeyOf(rule.config.name, group.labels);
          transitions.push({ rule: rule.config.name, groupKey, labels: group.labels, from: 'firing', to: 'resolved', value: group.value, notification });
        }
        // Incidents only the old leader saw: keep them, so their cooldown and resolve carry on here.
        for (const [key, group] of theirs) {
          if (!rule.groups.has(key) && rule.groups.size < config.maxGroupsPerRule) rule.groups.set(key, { ...group, labels: { ...group.labels } });
        }
      }
      dirty = true;
      updateGauge();
      return transitions;
    },
  };

  function updateGauge(): void {
    for (const rule of rules) {
      let pending = 0;
      let firingCount = 0;
      for (const group of rule.groups.values()) {
        if (group.state === 'pending') pending++;
        else if (group.state === 'firing') firingCount++;
      }
      const labels = { rule: rule.config.name, severity: rule.config.severity };
      metrics.alerts.set({ ...labels, state: 'pending' }, pending);
      metrics.alerts.set({ ...labels, state: 'firing' }, firingCount);
    }
  }

  updateGauge();
  return evaluator;
}

function signalLabels(rule: AlertRuleConfig, signal: GroupSignal): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const label of rule.groupBy) {
    labels[label] = label === 'fingerprint' ? signal.fingerprint : eventLabel(signal.event as ErrorEvent, label);
  }
  return labels;
}

/** What decides a rule's groups and values; annotations, channels and severity may change freely. */
function signatureOf(rule: AlertRuleConfig): string {
  const { type, filter, groupBy, operator, threshold, quantile, minRequests, windowMs } = rule;
  const text = JSON.stringify({ type, filter, groupBy, operator, threshold, quantile, minRequests, windowMs });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

const STATES: readonly string[] = ['inactive', 'pending', 'firing', 'resolved'];
const NUMBERS = ['value', 'activeSince', 'startsAt', 'endsAt', 'lastActiveAt', 'lastNotifiedAt', 'cooldownUntil'] as const;

function isGroupState(value: GroupState): boolean {
  return (
    typeof value.key === 'string' &&
    STATES.includes(value.state) &&
    typeof value.notified === 'boolean' &&
    typeof value.labels === 'object' &&
    value.labels !== null &&
    NUMBERS.every((name) => typeof value[name] === 'number')
  );
}
