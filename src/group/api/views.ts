// The JSON shapes of the read API: snake_case keys, ISO 8601 times. Everything shown has already
// passed the pipeline's scrub stage; nothing else (config, tokens) is ever shown.

import type { ErrorGroup, StoredSample } from '../store/group-store.js';

export function groupSummary(group: ErrorGroup) {
  return {
    id: group.id,
    service: group.service,
    type: group.type,
    title: group.title,
    culprit: group.culprit,
    level: group.level,
    state: group.state,
    regressed: group.regressed,
    count: group.count,
    first_seen: iso(group.firstSeenMs),
    last_seen: iso(group.lastSeenMs),
    releases: group.releases,
    environments: group.environments,
  };
}

export function groupDetail(group: ErrorGroup) {
  return {
    ...groupSummary(group),
    fingerprint: group.fingerprint,
    grouping: { method: group.method, rule: group.rule, version: group.fingerprintVersion },
    merged_fingerprints: group.keys.slice(1).map((key) => key.slice(key.indexOf('\0') + 1)),
    merged_ids: group.mergedIds,
    resolved_in_release: group.resolvedInRelease,
    state_changed_at: group.stateChangedAtMs === 0 ? null : iso(group.stateChangedAtMs),
    frames: group.frames.map((frame) => ({
      function: frame.function,
      module: frame.module,
      line: frame.line,
      column: frame.column,
      in_app: frame.inApp,
      ...(frame.sourceMap === undefined ? {} : { source_map: frame.sourceMap }),
      ...(frame.minified === undefined ? {} : { minified: frame.minified }),
    })),
    samples: group.samples.map((sample) => eventView(group, sample)).reverse(),
  };
}

export function eventView(group: ErrorGroup, sample: StoredSample) {
  return {
    id: sample.id,
    group_id: group.id,
    timestamp: iso(sample.timestampMs),
    source: sample.source,
    level: sample.level,
    service: group.service,
    environment: sample.environment,
    release: sample.release,
    trace_id: sample.traceId,
    span_id: sample.spanId,
    type: group.type,
    message: sample.message,
    stacktrace: sample.stacktrace,
    handled: sample.handled,
    span_name: sample.spanName,
    http: {
      method: sample.httpMethod,
      route: sample.httpRoute,
      status_code: sample.httpStatusCode,
      url_path: sample.urlPath,
    },
    attributes: sample.attributes,
  };
}

function iso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}
