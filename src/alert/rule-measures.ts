// What each rule type measures, per group, from the data the exporter consumes:
//   threshold    error events in the window (matching the filter)          value: events
//   error_ratio  ERROR spans ÷ timed spans, once min_requests were seen     value: ratio 0–1
//   latency      a quantile of span durations in the window                 value: seconds
//   absent       time since a service last sent any span or error event     value: seconds
// new_group and regression measure nothing: the evaluator fires them on the group signals.
// A threshold group's sample is the error that best shows the incident: an exception (with a stack
// trace before one without) over a span that only ended in ERROR, the latest among equals, and
// any once the kept one is older than the window.
// Each rule's groups are bounded by max_groups; a group whose window holds nothing is forgotten.

import type { ErrorEvent, SpanTiming } from '../extract/error-event.js';
import type { AlertRuleConfig } from './config.js';
import { compileFilter, type CompiledFilter } from './filter.js';
import { eventLabel, GroupTable, spanLabel } from './group-table.js';
import { CountWindow, countLayout, LatencyWindow, latencyLayout } from './sliding-window.js';

export interface Measurement {
  readonly key: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** The condition holds. */
  readonly active: boolean;
  /** The latest matching error event, or the trace of the latest offending span. */
  readonly sampleEvent?: ErrorEvent;
  readonly sampleTraceId?: string;
}

export interface RuleMeasure {
  recordEvent(event: ErrorEvent, now: number): void;
  recordSpan(timing: SpanTiming, now: number): void;
  /** Every tracked group's value at `now`; groups with empty windows are forgotten. */
  measure(now: number): Measurement[];
}

const STATUS_ERROR = 'STATUS_CODE_ERROR';

export function createRuleMeasure(rule: AlertRuleConfig, maxGroups: number, onLimit: () => void, startedAt: number): RuleMeasure {
  const filter = compileFilter(rule.filter);
  const crosses = rule.operator === '>' ? (v: number) => v > rule.threshold : (v: number) => v >= rule.threshold;
  switch (rule.type) {
    case 'threshold':
      return thresholdMeasure(rule, filter, maxGroups, onLimit, crosses);
    case 'error_ratio':
      return ratioMeasure(rule, filter, maxGroups, onLimit, crosses);
    case 'latency':
      return latencyMeasure(rule, filter, maxGroups, onLimit, crosses);
    case 'absent':
      return absentMeasure(rule, filter, maxGroups, onLimit, startedAt);
    default:
      return { recordEvent: () => {}, recordSpan: () => {}, measure: () => [] };
  }
}

type Crosses = (value: number) => boolean;

/** 2: an exception with its stack trace; 1: one without; 0: a span that only ended in ERROR. */
export function sampleRank(event: ErrorEvent): number {
  if (event.source === 'span_status') return 0;
  return event.stacktrace === '' ? 1 : 2;
}

function thresholdMeasure(rule: AlertRuleConfig, filter: CompiledFilter, max: number, onLimit: () => void, crosses: Crosses): RuleMeasure {
  const layout = countLayout(rule.windowMs);
  const groups = new GroupTable(
    rule.groupBy,
    max,
    () => ({ window: new CountWindow(layout, 1), sample: undefined as ErrorEvent | undefined, sampledAt: 0 }),
    onLimit,
  );
  return {
    recordEvent(event, now) {
      if (!filter.event(event)) return;
      const entry = groups.find((label) => eventLabel(event, label));
      if (entry === undefined) return;
      entry.data.window.add(now, 0, 1);
      const kept = entry.data.sample;
      if (kept === undefined || now - entry.data.sampledAt >= rule.windowMs || sampleRank(event) >= sampleRank(kept)) {
        entry.data.sample = event;
        entry.data.sampledAt = now;
      }
    },
    recordSpan() {},
    measure(now) {
      const measured: Measurement[] = [];
      for (const entry of groups.all()) {
        if (entry.data.window.isEmpty(now)) {
          groups.delete(entry);
          continue;
        }
        const value = entry.data.window.sum(now, 0);
        measured.push({ key: entry.key, labels: entry.labels, value, active: crosses(value), sampleEvent: entry.data.sample });
      }
      return measured;
    },
  };
}

function ratioMeasure(rule: AlertRuleConfig, filter: CompiledFilter, max: number, onLimit: () => void, crosses: Crosses): RuleMeasure {
  const layout = countLayout(rule.windowMs);
  const groups = new GroupTable(rule.groupBy, max, () => ({ window: new CountWindow(layout, 2), traceId: '' }), onLimit);
  return {
    recordEvent() {},
    recordSpan(timing, now) {
      if (!filter.span(timing)) return;
      const entry = groups.find((label) => spanLabel(timing, label));
      if (entry === undefined) return;
      entry.data.window.add(now, 1, 1);
      if (timing.statusCode === STATUS_ERROR) {
        entry.data.window.add(now, 0, 1);
        entry.data.traceId = timing.traceId;
      }
    },
    measure(now) {
      const measured: Measurement[] = [];
      for (const entry of groups.all()) {
        if (entry.data.window.isEmpty(now)) {
          groups.delete(entry);
          continue;
        }
        const total = entry.data.window.sum(now, 1);
        const value = total === 0 ? 0 : entry.data.window.sum(now, 0) / total;
        const active = total >= rule.minRequests && crosses(value);
        measured.push({ key: entry.key, labels: entry.labels, value, active, sampleTraceId: entry.data.traceId });
      }
      return measured;
    },
  };
}

function latencyMeasure(rule: AlertRuleConfig, filter: CompiledFilter, max: number, onLimit: () => void, crosses: Crosses): RuleMeasure {
  const layout = latencyLayout(rule.windowMs);
  const groups = new GroupTable(rule.groupBy, max, () => ({ window: new LatencyWindow(layout), traceId: '' }), onLimit);
  return {
    recordEvent() {},
    recordSpan(timing, now) {
      if (!filter.span(timing)) return;
      const entry = groups.find((label) => spanLabel(timing, label));
      if (entry === undefined) return;
      entry.data.window.add(now, timing.durationSeconds);
      if (crosses(timing.durationSeconds)) entry.data.traceId = timing.traceId;
    },
    measure(now) {
      const measured: Measurement[] = [];
      for (const entry of groups.all()) {
        if (entry.data.window.isEmpty(now)) {
          groups.delete(entry);
          continue;
        }
        const { seconds, count } = entry.data.window.quantile(now, rule.quantile);
        measured.push({ key: entry.key, labels: entry.labels, value: seconds, active: count > 0 && crosses(seconds), sampleTraceId: entry.data.traceId });
      }
      return measured;
    },
  };
}

/** Services named exactly in the filter are expected from the start; others once they have sent data. */
function absentMeasure(rule: AlertRuleConfig, filter: CompiledFilter, max: number, onLimit: () => void, startedAt: number): RuleMeasure {
  const groups = new GroupTable(rule.groupBy, max, () => ({ lastSeen: startedAt }), onLimit);
  for (const service of filter.expectedServices) groups.at([service]);
  const seen = (service: string, now: number) => {
    const entry = groups.at([service]);
    if (entry !== undefined && entry.data.lastSeen < now) entry.data.lastSeen = now;
  };
  return {
    recordEvent(event, now) {
      if (filter.event(event)) seen(event.service, now);
    },
    recordSpan(timing, now) {
      if (filter.span(timing)) seen(timing.service, now);
    },
    measure(now) {
      return [...groups.all()].map((entry) => {
        const silentMs = now - entry.data.lastSeen;
        return { key: entry.key, labels: entry.labels, value: silentMs / 1000, active: silentMs >= rule.windowMs };
      });
    },
  };
}
