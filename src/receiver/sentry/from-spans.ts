// Sentry's performance data → OTLP's decoded spans, so extract/from-spans.ts times them by the same
// rules as OTLP spans (processors.errors.span_kinds, faultline_span_duration_seconds, error ratios):
//   `transaction` item   its root span (contexts.trace) becomes a SERVER span (CONSUMER for queue
//                        and task ops) named by the transaction, `http.route` from its name
//                        (`GET /users/:id` → `/users/:id`); its `spans[]` become CLIENT (http.client,
//                        db…) or INTERNAL spans
//   `span` item (v2)     streamed spans: the segment (`is_segment`) is the SERVER span, the others as above
// Status `ok`, `cancelled`, `unknown` (or none) are not failures; any other (`internal_error`,
// `error`…) is ERROR, as Sentry's failure rate counts them. The resource is the project's service
// (a `service` tag wins), the release and the environment.

import type { AttributeValue, DecodedTraces, Span } from '../../otlp/types.js';
import { SpanKind, StatusCode } from '../../otlp/types.js';
import { hexId, isRecord, routeOfTransaction, textOf, timeNanos, typedAttributes, type Json, type ProjectIdentity } from './sentry-values.js';

const MAX_SPANS_PER_ITEM = 1000;
const MAX_ATTRIBUTES = 64;
const NOT_FAILED = new Set(['', 'ok', 'cancelled', 'unknown']);

export type SpansResult = { readonly ok: true; readonly traces: DecodedTraces } | { readonly ok: false; readonly reason: string };

/** A `transaction` item's payload → its spans. */
export function fromTransaction(payload: unknown, project: ProjectIdentity): SpansResult {
  if (!isRecord(payload)) return { ok: false, reason: 'the transaction is not a JSON object' };
  const trace = isRecord(payload.contexts) && isRecord(payload.contexts.trace) ? payload.contexts.trace : {};
  const traceId = hexId(trace.trace_id, 32);
  const name = textOf(payload.transaction);
  const start = timeNanos(payload.start_timestamp);
  const end = timeNanos(payload.timestamp);
  if (start === 0n || end === 0n) return { ok: false, reason: 'the transaction has no start_timestamp or timestamp' };
  const attributes = new Map<string, AttributeValue>();
  const op = textOf(trace.op);
  const { method, route } = routeOfTransaction(name);
  if (route !== '') attributes.set('http.route', route);
  if (method !== '') attributes.set('http.request.method', method);
  const response = isRecord(payload.contexts) && isRecord(payload.contexts.response) ? payload.contexts.response : {};
  const statusCode = response.status_code ?? (isRecord(trace.data) ? trace.data['http.response.status_code'] : undefined);
  if (typeof statusCode === 'number') attributes.set('http.response.status_code', statusCode);
  const spans: Span[] = [
    span({ traceId, spanId: hexId(trace.span_id, 16), name, kind: rootKind(op), start, end, attributes, status: textOf(trace.status) }),
  ];
  const children = Array.isArray(payload.spans) ? payload.spans.slice(0, MAX_SPANS_PER_ITEM) : [];
  for (const child of children) {
    if (!isRecord(child)) continue;
    const childStart = timeNanos(child.start_timestamp);
    const childEnd = timeNanos(child.timestamp);
    if (childStart === 0n || childEnd === 0n) continue;
    const childOp = textOf(child.op);
    spans.push(
      span({
        traceId: hexId(child.trace_id, 32) || traceId,
        spanId: hexId(child.span_id, 16),
        name: textOf(child.description) || childOp,
        kind: childKind(childOp),
        start: childStart,
        end: childEnd,
        attributes: new Map(),
        status: textOf(child.status),
      }),
    );
  }
  return { ok: true, traces: traces(payload, project, spans) };
}

/** A v2 `span` item's payload (`{items: […]}`) → its spans. */
export function fromSpanItems(payload: unknown, project: ProjectIdentity): SpansResult {
  if (!isRecord(payload) || !Array.isArray(payload.items)) return { ok: false, reason: 'the span item has no items list' };
  const spans: Span[] = [];
  let release = '';
  let environment = '';
  let service = '';
  for (const item of payload.items.slice(0, MAX_SPANS_PER_ITEM)) {
    if (!isRecord(item)) continue;
    const start = timeNanos(item.start_timestamp);
    const end = timeNanos(item.end_timestamp ?? item.timestamp);
    if (start === 0n || end === 0n) continue;
    const raw = new Map<string, AttributeValue>();
    typedAttributes(item.attributes, raw, MAX_ATTRIBUTES);
    release ||= textOf(raw.get('sentry.release'));
    environment ||= textOf(raw.get('sentry.environment'));
    service ||= textOf(raw.get('service.name'));
    const op = textOf(raw.get('sentry.op'));
    const name = textOf(item.name);
    const segment = item.is_segment === true;
    const attributes = new Map<string, AttributeValue>();
    if (segment) {
      const { method, route } = routeOfTransaction(name);
      const explicitRoute = textOf(raw.get('http.route'));
      if (explicitRoute !== '' || route !== '') attributes.set('http.route', explicitRoute || route);
      const explicitMethod = textOf(raw.get('http.request.method'));
      if (explicitMethod !== '' || method !== '') attributes.set('http.request.method', explicitMethod || method);
      const status = raw.get('http.response.status_code');
      if (typeof status === 'number') attributes.set('http.response.status_code', status);
    }
    spans.push(
      span({
        traceId: hexId(item.trace_id, 32),
        spanId: hexId(item.span_id, 16),
        name,
        kind: segment ? rootKind(op) : childKind(op),
        start,
        end,
        attributes,
        status: textOf(item.status),
      }),
    );
  }
  if (spans.length === 0) return { ok: false, reason: 'the span item holds no span with start and end times' };
  return { ok: true, traces: traces({ release, environment, tags: service === '' ? undefined : { service } }, project, spans) };
}

function traces(payload: Json, project: ProjectIdentity, spans: Span[]): DecodedTraces {
  const tags = isRecord(payload.tags) ? payload.tags : {};
  const resource = new Map<string, AttributeValue>([
    ['service.name', textOf(tags.service).trim() || project.service],
    ['service.version', textOf(payload.release)],
    ['deployment.environment.name', textOf(payload.environment) || project.environment],
  ]);
  return { resourceSpans: [{ resource, scopeSpans: [{ scopeName: 'sentry', spans }] }], spanCount: spans.length, rejected: [] };
}

function span(parts: {
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  start: bigint;
  end: bigint;
  attributes: Map<string, AttributeValue>;
  status: string;
}): Span {
  return {
    traceId: parts.traceId,
    spanId: parts.spanId,
    name: parts.name,
    kind: parts.kind,
    startTimeUnixNano: parts.start,
    endTimeUnixNano: parts.end,
    attributes: parts.attributes,
    events: [],
    statusCode: NOT_FAILED.has(parts.status) ? (parts.status === 'ok' ? StatusCode.OK : StatusCode.UNSET) : StatusCode.ERROR,
    statusMessage: NOT_FAILED.has(parts.status) ? '' : parts.status,
  };
}

/** A transaction is its service's entry: a request, or a consumed message or task. */
function rootKind(op: string): number {
  return /^(?:queue\.(?:process|task)|celery\.task|rq\.task|function\.|task)/.test(op) ? SpanKind.CONSUMER : SpanKind.SERVER;
}

function childKind(op: string): number {
  if (op.startsWith('http.client') || op.startsWith('db') || op.startsWith('cache') || op.startsWith('rpc')) return SpanKind.CLIENT;
  if (op.startsWith('queue.publish') || op.startsWith('queue.submit')) return SpanKind.PRODUCER;
  if (op.startsWith('http.server')) return SpanKind.SERVER;
  return SpanKind.INTERNAL;
}
