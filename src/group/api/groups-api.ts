// The read API on the admin endpoint (JSON in and out; errors are `{"error": "<field>: <what>"}`):
//   GET   /api/v1/groups        ?service= &environment= &state=unresolved|resolved|ignored
//                               &fingerprint=<exact; the group's own or one merged into it>
//                               &release=<seen in it> &level=debug|info|warning|error|fatal|critical
//                               (its latest event's) &q=<words, each in the title or culprit>
//                               &since=<ISO 8601 or Unix ms> (last seen at or after)
//                               &sort=last_seen|first_seen|count (descending; default last_seen)
//                               &limit=1..500 (default 50) &offset=0..
//                               &histogram=24h|14d (each group gets `histogram`: its events per
//                               hour, or per day, oldest first)
//                               → {groups, total, limit, offset, next_offset (null on the last page)}
//   GET   /api/v1/groups/facets ?limit=1..500 (default 100) → {service, environment, release,
//                               level: [{value, last_seen}]}: the values events carried in the
//                               last 14 days, the most recently seen first (group-values.ts)
//   GET   /api/v1/groups/:id    → the group with grouping, frames and samples (newest first); an id
//                               merged away → 308 to the group it was merged into (Location, and
//                               {"merged_into": "<id>"} for clients that do not follow)
//   GET   /api/v1/groups/:id/histogram ?range=24h|14d (default 24h) → {range, bucket_seconds, start,
//                               buckets: [{start, count, releases: {<release>: count}}], releases:
//                               [{release, count, first_hour, last_hour}]} (histogram.ts)
//   PATCH /api/v1/groups/:id    {"state": "resolved", "in_release"?: "1.2"} | {"state": "ignored"}
//                               | {"state": "unresolved"} | {"merge_into": "<id>"} → the group (an id
//                               merged away acts on the group it was merged into)
//   GET   /api/v1/events        ?trace_id=<32 hex> &limit=1..500 (default 100) → the stored sample
//                               events of that trace, newest first, each with its group_id
//   GET   /api/v1/events/:id    → one stored sample event
//   POST  /api/v1/grouping/preview {"fingerprint_rules"?, "in_app_include"?, "in_app_exclude"?,
//                               "samples"?} → how the newest stored samples would regroup under
//                               those rules (merges, splits, samples per rule and per in-app
//                               pattern); changes nothing
//                               (grouping-preview.ts)
// 400 for a bad query or body (naming the field), 404 for an unknown id, 413 past 64 KiB of body.

import type http from 'node:http';
import { json, type AdminRoutes } from '../../admin/admin-server.js';
import { groupPath } from '../../admin/public-url.js';
import { FaultlineError } from '../../errors.js';
import { readRawBody } from '../../internal/read-body.js';
import { GROUP_STATES, GroupStoreError, type ErrorGroup, type GroupQuery, type GroupState, type GroupStore } from '../store/group-store.js';
import { StorageError } from '../../storage/storage.js';
import { FACETS, type FacetValue } from '../store/group-values.js';
import { eventView, groupDetail, groupSummary } from './views.js';
import { bucketCounts, HISTOGRAM_RANGES, histogramView, isHistogramRange, rangeStart, type HistogramRange } from './histogram.js';
import { parsePreviewRequest, previewGrouping } from './grouping-preview.js';

const MAX_PATCH_BYTES = 64 * 1024;
const DEFAULT_LIMIT = 50;
const DEFAULT_FACET_LIMIT = 100;
const MAX_LIMIT = 500;
const QUERY_KEYS = ['service', 'environment', 'state', 'fingerprint', 'release', 'level', 'q', 'since', 'sort', 'limit', 'offset', 'histogram'];
const LEVELS = ['debug', 'info', 'warning', 'error', 'fatal', 'critical'];
const SORTS = ['last_seen', 'first_seen', 'count'] as const;
const EVENT_QUERY_KEYS = ['trace_id', 'limit'];
const DEFAULT_EVENT_LIMIT = 100;
const TRACE_ID = /^[0-9a-f]{32}$/;

class BadRequest extends Error {}

/** `now`: the time histograms end at (the exporter's clock). */
export function registerGroupsApi(admin: AdminRoutes, store: GroupStore, now: () => number = Date.now): void {
  admin.route('GET', '/api/v1/groups', (request, response) =>
    answer(response, async () => {
      const params = new URL(request.url ?? '/', 'http://localhost').searchParams;
      const query = parseQuery(params);
      return { status: 200, body: await listGroups(store, query, histogramParam(params, 'histogram'), now()) };
    }),
  );
  // Before /api/v1/groups/:id, which would take `facets` for an id.
  admin.route('GET', '/api/v1/groups/facets', (request, response) =>
    answer(response, async () => {
      const search = new URL(request.url ?? '/', 'http://localhost').searchParams;
      for (const name of search.keys()) if (name !== 'limit') throw new BadRequest(`${name}: unknown query parameter; known: limit`);
      const found = await store.facets(integerParam(search, 'limit', DEFAULT_FACET_LIMIT, 1, MAX_LIMIT));
      const view = (values: readonly FacetValue[]) => values.map((value) => ({ value: value.value, last_seen: new Date(value.lastSeenMs).toISOString() }));
      return { status: 200, body: Object.fromEntries(FACETS.map((facet) => [facet, view(found[facet])])) };
    }),
  );
  admin.route('GET', '/api/v1/groups/:id/histogram', (request, response, params) =>
    answer(response, async () => {
      const search = new URL(request.url ?? '/', 'http://localhost').searchParams;
      for (const name of search.keys()) if (name !== 'range') throw new BadRequest(`${name}: unknown query parameter; known: range`);
      const range = histogramParam(search, 'range') ?? '24h';
      const group = (await store.get(params.id!)) ?? (await store.mergedInto(params.id!));
      if (group === undefined) throw new GroupStoreError(404, `no group with id "${params.id}"`);
      const at = now();
      return { status: 200, body: histogramView(range, at, await store.hours([group.id], rangeStart(range, at))) };
    }),
  );
  admin.route('GET', '/api/v1/groups/:id', async (_request, response, params) => {
    let merged: ErrorGroup | undefined;
    try {
      merged = (await store.get(params.id!)) === undefined ? await store.mergedInto(params.id!) : undefined;
    } catch (error) {
      return answer(response, () => Promise.reject(error));
    }
    if (merged !== undefined) {
      // 308, not 301: a client following it keeps its method, and nothing caches it for good
      // (an eviction frees the old id).
      response.writeHead(308, { Location: groupPath(merged.id), 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ merged_into: merged.id }));
      return;
    }
    return answer(response, async () => ({ status: 200, body: groupDetail(await found(store, params.id!)) }));
  });
  admin.route('PATCH', '/api/v1/groups/:id', async (request, response, params) => {
    let body: unknown;
    try {
      body = await readJson(request);
    } catch (error) {
      if (error instanceof FaultlineError && error.code === 'FL_TOO_LARGE') {
        json(response, 413, { error: `body: larger than ${MAX_PATCH_BYTES} bytes` });
        return;
      }
      json(response, 400, { error: error instanceof BadRequest ? error.message : 'body: could not be read' });
      return;
    }
    await answer(response, async () => ({ status: 200, body: groupDetail(await patchGroup(store, params.id!, body)) }));
  });
  admin.route('GET', '/api/v1/events', (request, response) =>
    answer(response, async () => {
      const { traceId, limit } = parseEventQuery(new URL(request.url ?? '/', 'http://localhost').searchParams);
      const { total, samples } = await store.traceSamples(traceId, limit);
      return { status: 200, body: { events: samples.map(({ group, sample }) => eventView(group, sample)), total, limit } };
    }),
  );
  admin.route('POST', '/api/v1/grouping/preview', async (request, response) => {
    let body: unknown;
    try {
      body = await readJson(request);
    } catch (error) {
      if (error instanceof FaultlineError && error.code === 'FL_TOO_LARGE') {
        json(response, 413, { error: `body: larger than ${MAX_PATCH_BYTES} bytes` });
        return;
      }
      json(response, 400, { error: error instanceof BadRequest ? error.message : 'body: could not be read' });
      return;
    }
    const parsed = parsePreviewRequest(body);
    if ('problems' in parsed) {
      json(response, 400, { error: parsed.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ') });
      return;
    }
    await answer(response, async () => ({ status: 200, body: previewGrouping(await store.recentSamples(parsed.samples), parsed) }));
  });
  admin.route('GET', '/api/v1/events/:id', (_request, response, params) =>
    answer(response, async () => {
      const found = await store.event(params.id!);
      if (found === undefined) throw new GroupStoreError(404, `no stored event with id "${params.id}"`);
      return { status: 200, body: eventView(found.group, found.sample) };
    }),
  );
}

/** Answers with what `run` resolves to; a bad request is 400, an unknown id 404, a storage failure 503 (retry later). */
async function answer(response: http.ServerResponse, run: () => Promise<{ status: number; body: unknown }>): Promise<void> {
  try {
    const { status, body } = await run();
    json(response, status, body);
  } catch (error) {
    if (error instanceof BadRequest) json(response, 400, { error: error.message });
    else if (error instanceof GroupStoreError) json(response, error.status, { error: error.message });
    else if (error instanceof StorageError) {
      response.setHeader('Retry-After', '5');
      json(response, 503, { error: 'storage: unavailable; see /health and the logs' });
    } else throw error;
  }
}

async function found(store: GroupStore, id: string): Promise<ErrorGroup> {
  const group = await store.get(id);
  if (group === undefined) throw new GroupStoreError(404, `no group with id "${id}"`);
  return group;
}

function histogramParam(params: URLSearchParams, name: string): HistogramRange | undefined {
  const range = params.get(name);
  if (range === null) return undefined;
  if (!isHistogramRange(range)) throw new BadRequest(`${name}: expected 24h or 14d`);
  return range;
}

export async function listGroups(store: GroupStore, query: GroupQuery, histogram?: HistogramRange, nowMs = Date.now()) {
  const { groups, total } = await store.list(query);
  const next = query.offset + groups.length;
  const counts =
    histogram === undefined
      ? undefined
      : bucketCounts(histogram, nowMs, await store.hours(groups.map((group) => group.id), rangeStart(histogram, nowMs)));
  return {
    groups: groups.map((group) => ({ ...groupSummary(group), ...(counts === undefined ? {} : { histogram: counts.get(group.id) ?? zeros(histogram!) }) })),
    total,
    limit: query.limit,
    offset: query.offset,
    next_offset: next < total ? next : null,
  };
}

function zeros(range: HistogramRange): number[] {
  return new Array<number>(HISTOGRAM_RANGES[range].buckets).fill(0);
}

export function parseEventQuery(params: URLSearchParams): { traceId: string; limit: number } {
  for (const name of params.keys()) {
    if (!EVENT_QUERY_KEYS.includes(name)) throw new BadRequest(`${name}: unknown query parameter; known: ${EVENT_QUERY_KEYS.join(', ')}`);
  }
  const traceId = params.get('trace_id')?.toLowerCase();
  if (traceId === undefined) throw new BadRequest('trace_id: required (32 hex characters)');
  if (!TRACE_ID.test(traceId) || /^0+$/.test(traceId)) throw new BadRequest('trace_id: expected 32 hex characters, not all zero');
  return { traceId, limit: integerParam(params, 'limit', DEFAULT_EVENT_LIMIT, 1, MAX_LIMIT) };
}

export function parseQuery(params: URLSearchParams): GroupQuery {
  for (const name of params.keys()) {
    if (!QUERY_KEYS.includes(name)) throw new BadRequest(`${name}: unknown query parameter; known: ${QUERY_KEYS.join(', ')}`);
  }
  const state = params.get('state') ?? undefined;
  if (state !== undefined && !GROUP_STATES.includes(state as GroupState)) {
    throw new BadRequest(`state: expected one of ${GROUP_STATES.join(', ')}`);
  }
  const sort = (params.get('sort') ?? 'last_seen') as (typeof SORTS)[number];
  if (!SORTS.includes(sort)) throw new BadRequest(`sort: expected one of ${SORTS.join(', ')}`);
  const level = params.get('level') ?? undefined;
  if (level !== undefined && !LEVELS.includes(level)) throw new BadRequest(`level: expected one of ${LEVELS.join(', ')}`);
  const text = params.get('q') ?? undefined;
  if (text !== undefined && text.length > 200) throw new BadRequest('q: at most 200 characters');
  const since = params.get('since') ?? undefined;
  let sinceMs: number | undefined;
  if (since !== undefined) {
    sinceMs = /^\d+$/.test(since) ? Number(since) : Date.parse(since);
    if (!Number.isFinite(sinceMs)) throw new BadRequest('since: expected an ISO 8601 time or Unix milliseconds');
  }
  const fingerprint = params.get('fingerprint') ?? undefined;
  if (fingerprint === '') throw new BadRequest('fingerprint: expected a fingerprint');
  return {
    service: params.get('service') ?? undefined,
    fingerprint,
    environment: params.get('environment') ?? undefined,
    release: params.get('release') ?? undefined,
    level,
    text: text?.trim() === '' ? undefined : text,
    state: state as GroupState | undefined,
    sinceMs,
    sort,
    limit: integerParam(params, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT),
    offset: integerParam(params, 'offset', 0, 0, Number.MAX_SAFE_INTEGER),
  };
}

function integerParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const text = params.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new BadRequest(`${name}: expected an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}`);
  }
  return value;
}

export async function patchGroup(store: GroupStore, id: string, body: unknown): Promise<ErrorGroup> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('body: expected a JSON object');
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!['state', 'in_release', 'merge_into'].includes(key)) {
      throw new BadRequest(`${key}: unknown field; expected state (with in_release) or merge_into`);
    }
  }
  if (fields.merge_into !== undefined) {
    if (fields.state !== undefined || fields.in_release !== undefined) {
      throw new BadRequest('merge_into: cannot be combined with state or in_release');
    }
    if (typeof fields.merge_into !== 'string' || fields.merge_into === '') throw new BadRequest('merge_into: expected a group id');
    return store.merge(id, fields.merge_into);
  }
  if (!GROUP_STATES.includes(fields.state as GroupState)) {
    throw new BadRequest(`state: expected one of ${GROUP_STATES.join(', ')}`);
  }
  if (fields.in_release !== undefined) {
    if (typeof fields.in_release !== 'string' || fields.in_release === '') throw new BadRequest('in_release: expected a release');
    if (fields.state !== 'resolved') throw new BadRequest('in_release: only with state resolved');
  }
  return store.setState(id, fields.state as GroupState, fields.in_release as string | undefined);
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const bytes = await readRawBody(request, MAX_PATCH_BYTES);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BadRequest('body: expected JSON');
  }
}
