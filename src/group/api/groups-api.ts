// The read API on the admin endpoint (JSON in and out; errors are `{"error": "<field>: <what>"}`):
//   GET   /api/v1/groups        ?service= &environment= &state=unresolved|resolved|ignored
//                               &since=<ISO 8601 or Unix ms> (last seen at or after)
//                               &sort=last_seen|count (descending; default last_seen)
//                               &limit=1..500 (default 50) &offset=0..
//                               → {groups, total, limit, offset, next_offset (null on the last page)}
//   GET   /api/v1/groups/:id    → the group with grouping, frames and samples (newest first)
//   PATCH /api/v1/groups/:id    {"state": "resolved", "in_release"?: "1.2"} | {"state": "ignored"}
//                               | {"state": "unresolved"} | {"merge_into": "<id>"} → the group
//   GET   /api/v1/events/:id    → one stored sample event
// 400 for a bad query or body (naming the field), 404 for an unknown id, 413 past 64 KiB of body.

import type http from 'node:http';
import { json, type AdminRoutes } from '../../admin/admin-server.js';
import { FaultlineError } from '../../errors.js';
import { readRawBody } from '../../receiver/otlp-http/read-body.js';
import { GROUP_STATES, GroupStoreError, type ErrorGroup, type GroupState, type GroupStore } from '../store/group-store.js';
import { eventView, groupDetail, groupSummary } from './views.js';

const MAX_PATCH_BYTES = 64 * 1024;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
const QUERY_KEYS = ['service', 'environment', 'state', 'since', 'sort', 'limit', 'offset'];

class BadRequest extends Error {}

export interface GroupQuery {
  readonly service?: string;
  readonly environment?: string;
  readonly state?: GroupState;
  readonly sinceMs?: number;
  readonly sort: 'last_seen' | 'count';
  readonly limit: number;
  readonly offset: number;
}

export function registerGroupsApi(admin: AdminRoutes, store: GroupStore): void {
  admin.route('GET', '/api/v1/groups', (request, response) =>
    answer(response, () => {
      const query = parseQuery(new URL(request.url ?? '/', 'http://localhost').searchParams);
      return { status: 200, body: listGroups(store, query) };
    }),
  );
  admin.route('GET', '/api/v1/groups/:id', (_request, response, params) =>
    answer(response, () => ({ status: 200, body: groupDetail(found(store, params.id!)) })),
  );
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
    answer(response, () => ({ status: 200, body: groupDetail(patchGroup(store, params.id!, body)) }));
  });
  admin.route('GET', '/api/v1/events/:id', (_request, response, params) =>
    answer(response, () => {
      const found = store.event(params.id!);
      if (found === undefined) throw new GroupStoreError(404, `no stored event with id "${params.id}"`);
      return { status: 200, body: eventView(found.group, found.sample) };
    }),
  );
}

function answer(response: http.ServerResponse, run: () => { status: number; body: unknown }): void {
  try {
    const { status, body } = run();
    json(response, status, body);
  } catch (error) {
    if (error instanceof BadRequest) json(response, 400, { error: error.message });
    else if (error instanceof GroupStoreError) json(response, error.status, { error: error.message });
    else throw error;
  }
}

function found(store: GroupStore, id: string): ErrorGroup {
  const group = store.get(id);
  if (group === undefined) throw new GroupStoreError(404, `no group with id "${id}"`);
  return group;
}

export function listGroups(store: GroupStore, query: GroupQuery) {
  const matching: ErrorGroup[] = [];
  for (const group of store.groups()) {
    if (query.service !== undefined && group.service !== query.service) continue;
    if (query.environment !== undefined && !group.environments.includes(query.environment)) continue;
    if (query.state !== undefined && group.state !== query.state) continue;
    if (query.sinceMs !== undefined && group.lastSeenMs < query.sinceMs) continue;
    matching.push(group);
  }
  const key = query.sort === 'count' ? (g: ErrorGroup) => g.count : (g: ErrorGroup) => g.lastSeenMs;
  // Descending, ties by id, so pages are stable while nothing changes.
  matching.sort((a, b) => key(b) - key(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const page = matching.slice(query.offset, query.offset + query.limit);
  const next = query.offset + page.length;
  return {
    groups: page.map(groupSummary),
    total: matching.length,
    limit: query.limit,
    offset: query.offset,
    next_offset: next < matching.length ? next : null,
  };
}

export function parseQuery(params: URLSearchParams): GroupQuery {
  for (const name of params.keys()) {
    if (!QUERY_KEYS.includes(name)) throw new BadRequest(`${name}: unknown query parameter; known: ${QUERY_KEYS.join(', ')}`);
  }
  const state = params.get('state') ?? undefined;
  if (state !== undefined && !GROUP_STATES.includes(state as GroupState)) {
    throw new BadRequest(`state: expected one of ${GROUP_STATES.join(', ')}`);
  }
  const sort = params.get('sort') ?? 'last_seen';
  if (sort !== 'last_seen' && sort !== 'count') throw new BadRequest('sort: expected last_seen or count');
  const since = params.get('since') ?? undefined;
  let sinceMs: number | undefined;
  if (since !== undefined) {
    sinceMs = /^\d+$/.test(since) ? Number(since) : Date.parse(since);
    if (!Number.isFinite(sinceMs)) throw new BadRequest('since: expected an ISO 8601 time or Unix milliseconds');
  }
  return {
    service: params.get('service') ?? undefined,
    environment: params.get('environment') ?? undefined,
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

export function patchGroup(store: GroupStore, id: string, body: unknown): ErrorGroup {
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
