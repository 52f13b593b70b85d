// The groups of one rule: one entry per distinct combination of its group_by label values, found
// through nested maps (one level per label) so an event or span finds its group without building a
// key string. At most `limit` entries; past it a new group is refused and `onLimit` counts it.

import { createHash } from 'node:crypto';
import type { ErrorEvent, SpanTiming } from '../extract/error-event.js';
import type { GroupLabel } from './config.js';

export interface GroupEntry<T> {
  /** Stable text key of the labels (sorted JSON), for alert state and persistence. */
  readonly key: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly data: T;
}

type Level<T> = Map<string, Level<T> | GroupEntry<T>>;

export class GroupTable<T> {
  private readonly root: Level<T> = new Map();
  private readonly entries = new Map<string, GroupEntry<T>>();
  private readonly values: string[];

  constructor(
    private readonly labels: readonly GroupLabel[],
    private readonly limit: number,
    private readonly create: (labels: Readonly<Record<string, string>>) => T,
    private readonly onLimit: () => void,
  ) {
    this.values = new Array<string>(labels.length);
  }

  /** The entry for the values `valueOf` gives each label; undefined past the limit. */
  find(valueOf: (label: GroupLabel) => string): GroupEntry<T> | undefined {
    if (this.labels.length === 0) return this.at([]);
    let level = this.root;
    for (let i = 0; i < this.labels.length; i++) {
      const value = valueOf(this.labels[i]);
      const next = level.get(value);
      if (next === undefined) {
        for (let j = 0; j < this.labels.length; j++) this.values[j] = j < i ? this.values[j] : valueOf(this.labels[j]);
        return this.at(this.values);
      }
      this.values[i] = value;
      if (i === this.labels.length - 1) return next as GroupEntry<T>;
      level = next as Level<T>;
    }
    return undefined;
  }

  /** The entry for explicit values (in group_by order), created when absent and room remains. */
  at(values: readonly string[]): GroupEntry<T> | undefined {
    let level = this.root;
    for (let i = 0; i < this.labels.length - 1; i++) {
      let next = level.get(values[i]) as Level<T> | undefined;
      if (next === undefined) {
        if (this.entries.size >= this.limit) return this.refuse();
        next = new Map();
        level.set(values[i], next);
      }
      level = next;
    }
    const last = this.labels.length === 0 ? '' : values[this.labels.length - 1];
    const existing = level.get(last) as GroupEntry<T> | undefined;
    if (existing !== undefined) return existing;
    if (this.entries.size >= this.limit) return this.refuse();
    const labels: Record<string, string> = {};
    this.labels.forEach((label, i) => (labels[label] = values[i]));
    const entry: GroupEntry<T> = { key: labelsKey(labels), labels, data: this.create(labels) };
    level.set(last, entry);
    this.entries.set(entry.key, entry);
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }

  all(): IterableIterator<GroupEntry<T>> {
    return this.entries.values();
  }

  delete(entry: GroupEntry<T>): void {
    this.entries.delete(entry.key);
    const path: Level<T>[] = [this.root];
    for (let i = 0; i < this.labels.length - 1; i++) {
      const next = path[i].get(entry.labels[this.labels[i]]) as Level<T> | undefined;
      if (next === undefined) return;
      path.push(next);
    }
    path[path.length - 1].delete(this.labels.length === 0 ? '' : entry.labels[this.labels[this.labels.length - 1]]);
    for (let i = path.length - 1; i > 0 && path[i].size === 0; i--) path[i - 1].delete(entry.labels[this.labels[i - 1]]);
  }

  private refuse(): undefined {
    this.onLimit();
    return undefined;
  }
}

export function labelsKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.keys(labels).sort().map((name) => [name, labels[name]]));
}

export function eventLabel(event: ErrorEvent, label: GroupLabel): string {
  switch (label) {
    case 'service':
      return event.service;
    case 'environment':
      return event.environment;
    case 'level':
      return event.level;
    case 'exception_type':
      return event.type;
    case 'span_name':
      return event.spanName;
    case 'fingerprint':
      return fingerprintOf(event);
  }
}

export function spanLabel(timing: SpanTiming, label: GroupLabel): string {
  return label === 'service' ? timing.service : label === 'span_name' ? timing.spanName : '';
}

const fallbackFingerprints = new Map<string, string>();

/**
 * The event's group: the grouping processor's fingerprint, or, when the pipeline has no grouping,
 * a digest of service + exception type (the one place that decides the fallback).
 */
export function fingerprintOf(event: ErrorEvent): string {
  if (event.grouping !== undefined) return event.grouping.fingerprint;
  return fallbackFingerprint(event.service, event.type);
}

export function fallbackFingerprint(service: string, type: string): string {
  const text = `${service}\u0000${type}`;
  let fingerprint = fallbackFingerprints.get(text);
  if (fingerprint === undefined) {
    fingerprint = createHash('sha256').update(text).digest('hex').slice(0, 32);
    if (fallbackFingerprints.size >= 4096) fallbackFingerprints.clear();
    fallbackFingerprints.set(text, fingerprint);
  }
  return fingerprint;
}
