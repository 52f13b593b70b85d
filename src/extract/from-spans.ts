// Spans → error events and span timings, following the OpenTelemetry semantic conventions:
// - each span event named `exception` is one error event (several per span → several events);
// - a span with status ERROR and no usable exception event is one event built from error.type and
//   the status message (an ERROR span with exception events is counted once per exception, not more);
// - exception events on spans that did not end in ERROR are marked `handled`; whether the request
//   really handled them is decided later, across the whole trace, by the identity processor.
// SERVER and CONSUMER spans also become ServerSpans: the request context of their trace's errors.
// Exception events with neither a type nor a message carry nothing to group on; they are skipped
// and counted in `skippedExceptions`.

import { detachAttributes } from '../otlp/protobuf/wire-attributes.js';
import type { DecodedTraces, Span, SpanEvent } from '../otlp/types.js';
import { SpanKind, StatusCode } from '../otlp/types.js';
import { booleanAttribute, capText, firstStringAttribute, integerAttribute, stringAttribute } from './attributes.js';
import type { ErrorEvent, Extracted, RequestContext, ServerSpan, SpanTiming } from './error-event.js';
import { SPAN_KIND_NAMES, STATUS_CODE_NAMES, type ExtractOptions } from './options.js';
import { serviceIdentity, type ServiceIdentity } from './resource.js';

const NANOS_PER_MS = 1_000_000n;

export function extractFromTraces(traces: DecodedTraces, options: ExtractOptions): Extracted {
  const events: ErrorEvent[] = [];
  const timings: SpanTiming[] = [];
  const serverSpans: ServerSpan[] = [];
  let skippedExceptions = 0;
  for (const resourceSpans of traces.resourceSpans) {
    const identity = serviceIdentity(resourceSpans.resource);
    for (const scopeSpans of resourceSpans.scopeSpans) {
      for (const span of scopeSpans.spans) {
        const route = stringAttribute(span.attributes, 'http.route');
        if (options.timedSpanKinds[span.kind] === true) timings.push(timingOf(span, identity, route));
        if ((span.kind === SpanKind.SERVER || span.kind === SpanKind.CONSUMER) && span.traceId !== '') {
          serverSpans.push(serverSpanOf(span, identity, route));
        }
        skippedExceptions += collectErrors(span, identity, route, options, events);
      }
    }
  }
  return { events, timings, skippedExceptions, serverSpans };
}

function serverSpanOf(span: Span, identity: ServiceIdentity, route: string): ServerSpan {
  return {
    service: identity.service,
    traceId: span.traceId,
    kind: span.kind === SpanKind.SERVER ? 'server' : 'consumer',
    startTimeUnixNano: span.startTimeUnixNano,
    name: span.name,
    httpRoute: route,
    attributes: span.attributes,
  };
}

/**
 * The request context of a SERVER or CONSUMER span, read from its attributes. They are read after
 * the scrub processor ran, so the method is one HTTP knows or `_OTHER`, as the semantic
 * conventions have it: a made-up method could carry anything.
 */
export function requestContextOf(span: ServerSpan): RequestContext {
  const { attributes } = span;
  const method = firstStringAttribute(attributes, HTTP_METHOD_KEYS);
  return {
    kind: span.kind,
    startTimeUnixNano: span.startTimeUnixNano,
    name: span.name,
    httpRoute: span.httpRoute,
    httpMethod: method === '' || KNOWN_METHODS.has(method.toUpperCase()) ? method : '_OTHER',
    httpStatusCode: integerAttribute(attributes, HTTP_STATUS_KEYS),
  };
}

function timingOf(span: Span, identity: ServiceIdentity, route: string): SpanTiming {
  const durationNanos = span.endTimeUnixNano - span.startTimeUnixNano;
  return {
    service: identity.service,
    spanName: route || span.name,
    spanKind: SPAN_KIND_NAMES[span.kind] ?? SPAN_KIND_NAMES[0],
    statusCode: STATUS_CODE_NAMES[span.statusCode] ?? STATUS_CODE_NAMES[0],
    durationSeconds: durationNanos > 0n ? Number(durationNanos) / 1e9 : 0,
    traceId: span.traceId,
  };
}

/** Appends the span's error events to `out`; returns how many exception events were unusable. */
function collectErrors(
  span: Span,
  identity: ServiceIdentity,
  route: string,
  options: ExtractOptions,
  out: ErrorEvent[],
): number {
  const isError = span.statusCode === StatusCode.ERROR;
  let usable = 0;
  let skipped = 0;
  for (const spanEvent of span.events) {
    if (spanEvent.name !== 'exception') continue;
    const event = fromExceptionEvent(span, spanEvent, identity, route, !isError, options);
    if (event === undefined) {
      skipped++;
    } else {
      out.push(event);
      usable++;
    }
  }
  // Unusable exception events must not hide the span's failure: fall back to its status then too.
  if (isError && usable === 0) out.push(fromErrorStatus(span, identity, route, options));
  return skipped;
}

function fromExceptionEvent(
  span: Span,
  spanEvent: SpanEvent,
  identity: ServiceIdentity,
  route: string,
  handled: boolean,
  options: ExtractOptions,
): ErrorEvent | undefined {
  const attributes = spanEvent.attributes;
  const type = stringAttribute(attributes, 'exception.type');
  const message = stringAttribute(attributes, 'exception.message');
  if (type === '' && message === '') return undefined;
  const time = spanEvent.timeUnixNano > 0n ? spanEvent.timeUnixNano : span.endTimeUnixNano;
  return errorEvent(
    span,
    identity,
    route,
    'span',
    Number(time / NANOS_PER_MS),
    type || 'Error',
    capText(message, options.maxMessageBytes),
    capText(stringAttribute(attributes, 'exception.stacktrace'), options.maxStacktraceBytes),
    booleanAttribute(attributes, 'exception.escaped'),
    handled,
  );
}

function fromErrorStatus(span: Span, identity: ServiceIdentity, route: string, options: ExtractOptions): ErrorEvent {
  return errorEvent(
    span,
    identity,
    route,
    'span_status',
    Number(span.endTimeUnixNano / NANOS_PER_MS),
    stringAttribute(span.attributes, 'error.type') || 'SpanError',
    capText(span.statusMessage || span.name, options.maxMessageBytes),
    '',
    undefined,
    false,
  );
}

/** One object literal for both kinds of span event, so every ErrorEvent from spans has one shape. */
function errorEvent(
  span: Span,
  identity: ServiceIdentity,
  route: string,
  source: 'span' | 'span_status',
  timestampMs: number,
  type: string,
  message: string,
  stacktrace: string,
  escaped: boolean | undefined,
  handled: boolean,
): ErrorEvent {
  const attributes = span.attributes;
  return {
    service: identity.service,
    serviceVersion: identity.serviceVersion,
    environment: identity.environment,
    traceId: span.traceId,
    spanId: span.spanId,
    spanName: span.name,
    httpRoute: route,
    httpMethod: firstStringAttribute(attributes, HTTP_METHOD_KEYS),
    httpStatusCode: integerAttribute(attributes, HTTP_STATUS_KEYS),
    urlPath: firstStringAttribute(attributes, URL_PATH_KEYS),
    // Events outlive the request: attributes read lazily from its bytes must let go of them.
    attributes: detachAttributes(attributes),
    source,
    timestampMs,
    level: 'error',
    type,
    message,
    stacktrace,
    escaped,
    handled,
  };
}

/** Where the request context's method and status code are read from, the stable name first. */
export const HTTP_METHOD_KEYS = ['http.request.method', 'http.method'];
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE', '_OTHER']);
export const HTTP_STATUS_KEYS = ['http.response.status_code', 'http.status_code'];
const URL_PATH_KEYS = ['url.path', 'http.target'];
