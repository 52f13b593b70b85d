// POST /api/v1/grouping/preview: how the newest stored sample events would regroup under candidate
// `fingerprint_rules`, `in_app_include` and `in_app_exclude` (the `group` processor's keys, checked
// as the config is), without changing anything. Each sample is grouped again, as the group
// processor would, and compared with the group it is in now (manual merges included):
//   {"fingerprint_rules": [...], "in_app_include": [...], "in_app_exclude": [...], "samples": 1000}
//   → {samples, groups_before, groups_after, merges: [{samples, title, groups: [{id, title, samples}]}],
//      splits: [{id, title, samples, into: [{samples, title, method, rule}]}], rules: [{name, samples}],
//      unmatched_rules: [name], in_app_rules: [{key, pattern, samples}]}
// `rules` counts the samples each fingerprint rule would group (the first match wins, so a rule
// shadowed by an earlier one counts 0); `in_app_rules` the samples with a frame each in_app_include
// or in_app_exclude pattern names. `faultline validate` warns about the rules that count 0 here
// (rules-against-samples.ts).
// merges and splits list the largest MAX_CHANGES, by samples. Samples are what the store keeps
// (samples_per_group per group, each cut at max_sample_bytes), so this is a preview, not a replay.

import type { ErrorEvent } from '../../extract/error-event.js';
import type { ConfigProblem } from '../../config/schema.js';
import { groupProcessorType, type GroupProcessorConfig } from '../config.js';
import { computeGrouping, createGroupingOptions, type GroupingOptions } from '../fingerprint.js';
import { matchesInAppPattern } from '../stack/in-app.js';
import { readStacktrace } from '../stack/parse-stacktrace.js';
import type { RawFrame } from '../stack/stack-trace.js';
import type { FoundSample } from '../store/group-store.js';

export const DEFAULT_PREVIEW_SAMPLES = 1000;
export const MAX_PREVIEW_SAMPLES = 10_000;
const MAX_CHANGES = 100;
const KEYS = ['fingerprint_rules', 'in_app_include', 'in_app_exclude', 'samples'];

export interface PreviewRequest {
  readonly options: GroupingOptions;
  readonly ruleNames: readonly string[];
  readonly inApp: { readonly include: readonly string[]; readonly exclude: readonly string[] };
  readonly samples: number;
}

/** What the preview needs of a `group` processor's config (the API's candidate, or the configured one). */
export function previewRequestOf(config: GroupProcessorConfig, samples: number): PreviewRequest {
  return {
    options: createGroupingOptions(config),
    ruleNames: config.fingerprintRules.map((rule) => rule.name),
    inApp: { include: config.inAppInclude, exclude: config.inAppExclude },
    samples,
  };
}

/** The request, or the problems with it (each with its path, as `faultline validate` names them). */
export function parsePreviewRequest(body: unknown): PreviewRequest | { problems: ConfigProblem[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problems: [{ path: 'body', message: 'expected a JSON object' }] };
  const problems: ConfigProblem[] = [];
  const { samples = DEFAULT_PREVIEW_SAMPLES, ...candidate } = body as Record<string, unknown>;
  for (const key of Object.keys(body)) if (!KEYS.includes(key)) problems.push({ path: key, message: `unknown key; known: ${KEYS.join(', ')}` });
  if (!Number.isInteger(samples) || (samples as number) < 1 || (samples as number) > MAX_PREVIEW_SAMPLES) {
    problems.push({ path: 'samples', message: `expected an integer from 1 to ${MAX_PREVIEW_SAMPLES}` });
  }
  const known = Object.fromEntries(Object.entries(candidate).filter(([key]) => KEYS.includes(key)));
  const decoded = groupProcessorType.decode(known, '', problems);
  if (problems.length > 0 || typeof decoded !== 'function') return { problems };
  return previewRequestOf(decoded('preview'), samples as number);
}

interface Regrouped {
  readonly groupId: string;
  readonly groupTitle: string;
  readonly key: string;
  readonly title: string;
  readonly method: string;
  readonly rule: string;
}

export function previewGrouping(found: readonly FoundSample[], request: PreviewRequest) {
  const regrouped: Regrouped[] = found.map(({ group, sample }) => {
    const grouping = computeGrouping(eventOfSample(group.service, group.type, sample), request.options);
    return { groupId: group.id, groupTitle: group.title, key: `${group.service}\u0000${grouping.fingerprint}`, title: grouping.title, method: grouping.method, rule: grouping.rule };
  });
  const byKey = groupBy(regrouped, (r) => r.key);
  const byGroup = groupBy(regrouped, (r) => r.groupId);
  const merges = [...byKey.values()]
    .filter((members) => new Set(members.map((m) => m.groupId)).size > 1)
    .map((members) => ({
      samples: members.length,
      title: members[0]!.title,
      groups: [...groupBy(members, (m) => m.groupId).values()].map((of) => ({ id: of[0]!.groupId, title: of[0]!.groupTitle, samples: of.length })),
    }));
  const splits = [...byGroup.values()]
    .filter((members) => new Set(members.map((m) => m.key)).size > 1)
    .map((members) => ({
      id: members[0]!.groupId,
      title: members[0]!.groupTitle,
      samples: members.length,
      into: [...groupBy(members, (m) => m.key).values()].map((of) => ({ samples: of.length, title: of[0]!.title, method: of[0]!.method, rule: of[0]!.rule })),
    }));
  const ruleCounts = request.ruleNames.map((name) => ({ name, samples: regrouped.filter((r) => r.method === 'rule' && r.rule === name).length }));
  const largest = <T extends { samples: number }>(items: T[]) => items.sort((a, b) => b.samples - a.samples).slice(0, MAX_CHANGES);
  return {
    samples: regrouped.length,
    groups_before: byGroup.size,
    groups_after: byKey.size,
    merges: largest(merges),
    splits: largest(splits),
    rules: ruleCounts,
    unmatched_rules: ruleCounts.filter((rule) => rule.samples === 0).map((rule) => rule.name),
    in_app_rules: inAppCounts(found, request.inApp),
  };
}

/** For each in-app pattern, the samples with at least one frame it names. */
function inAppCounts(found: readonly FoundSample[], inApp: PreviewRequest['inApp']) {
  const patterns = [
    ...inApp.include.map((pattern) => ({ key: 'in_app_include', pattern, samples: 0 })),
    ...inApp.exclude.map((pattern) => ({ key: 'in_app_exclude', pattern, samples: 0 })),
  ];
  if (patterns.length === 0) return patterns;
  for (const { sample } of found) {
    const frames: RawFrame[] = readStacktrace(sample.stacktrace).exceptions.flatMap((exception) => exception.frames);
    for (const counted of patterns) if (frames.some((frame) => matchesInAppPattern(frame, counted.pattern))) counted.samples++;
  }
  return patterns;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [item]);
    else list.push(item);
  }
  return groups;
}

/** The sample as the event the group processor saw (its stored attributes are text). */
function eventOfSample(service: string, type: string, sample: FoundSample['sample']): ErrorEvent {
  return {
    source: sample.source,
    service,
    serviceVersion: sample.release,
    environment: sample.environment,
    traceId: sample.traceId,
    spanId: sample.spanId,
    timestampMs: sample.timestampMs,
    level: sample.level,
    type,
    message: sample.message,
    stacktrace: sample.stacktrace,
    escaped: undefined,
    handled: sample.handled,
    spanName: sample.spanName,
    httpRoute: sample.httpRoute,
    httpMethod: sample.httpMethod,
    httpStatusCode: sample.httpStatusCode,
    urlPath: sample.urlPath,
    attributes: new Map(Object.entries(sample.attributes)),
  };
}
