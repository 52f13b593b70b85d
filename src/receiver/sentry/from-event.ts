// A Sentry event (an `event` item, or a legacy /store/ body) → one ErrorEvent (source `sentry`).
//   exception.values[]   oldest cause first, as Sentry sends them → `exceptions`, top-level first
//                        (ErrorEvent's order); each with its stacktrace.frames as structured frames
//                        (the SDK's in_app kept: the group processor parses no text for them) and
//                        the top-level one's type and value as the event's; `handled` false when
//                        any mechanism in the chain says handled: false
//   message / logentry   a message event (type `Message`) when there is no exception
//   contexts.trace       trace and span ids, when the error happened in a span (a transaction): the
//                        envelope header's trace context names one, or contexts.trace has an op or a
//                        parent. Outside spans an SDK sends one made-up trace id for the whole process,
//                        and the identity processor would fold unrelated errors as one trace's copies.
//   release, environment, level, timestamp, event_id (→ the event's id: an SDK's retry counts once)
//   tags                 attributes by their own keys (`service` names the service)
//   user, request        attributes (`user.id`, `user.email`, `client.address`, `url.full`,
//                        `http.request.header.<name>`, …), scrubbed like every attribute by `scrub`
//   fingerprint          `faultline.fingerprint` (`{{ default }}` keeps its Sentry meaning)
//   breadcrumbs          the last MAX_BREADCRUMBS, as JSON text in `sentry.breadcrumbs`
// Frame variables (`vars`), source context lines and `extra` are not kept: they hold data, not
// identity, and often personal data. Returns a reason instead when the payload is not an event.

import type { ErrorEvent, ErrorLevel, StructuredException, StructuredFrame } from '../../extract/error-event.js';
import { capText } from '../../extract/attributes.js';
import { CLIENT_FINGERPRINT_ATTRIBUTE } from '../../group/fingerprint.js';
import { capFrames, MAX_EXCEPTIONS } from '../../group/stack/stack-trace.js';
import type { AttributeValue } from '../../otlp/types.js';
import { breadcrumbsOf, fingerprintOf, readRequest, readUser, tagsOf } from './event-context.js';
import { hexId, isRecord, routeOfTransaction, textOf, timeMs, type Json, type ProjectIdentity } from './sentry-values.js';

const LEVELS: Readonly<Record<string, ErrorLevel>> = {
  debug: 'debug',
  info: 'info',
  log: 'info',
  warning: 'warning',
  warn: 'warning',
  error: 'error',
  fatal: 'fatal',
  critical: 'critical',
};

export const MESSAGE_TYPE = 'Message';

/** The errors processor's caps (route.options has them). */
export interface TextLimits {
  readonly maxMessageBytes: number;
  readonly maxStacktraceBytes: number;
}

export type EventResult = { readonly ok: true; readonly event: ErrorEvent } | { readonly ok: false; readonly reason: string };

export function fromSentryEvent(
  payload: unknown,
  project: ProjectIdentity,
  context: { readonly nowMs: number; readonly inSpan: boolean; readonly limits: TextLimits },
): EventResult {
  if (!isRecord(payload)) return { ok: false, reason: 'the event is not a JSON object' };
  const options = context.limits;
  const exceptions = exceptionChain(payload.exception);
  const top = exceptions[0];
  const logentry = messageOf(payload);
  const type = top === undefined ? MESSAGE_TYPE : top.type || (top.synthetic ? MESSAGE_TYPE : 'Error');
  const message = top === undefined || (top.message === '' && logentry !== '') ? logentry : top.message;
  if (top === undefined && message === '') return { ok: false, reason: 'the event has neither an exception nor a message' };

  const attributes = new Map<string, AttributeValue>();
  const tags = tagsOf(payload.tags);
  for (const [key, value] of tags) attributes.set(key, value);
  readUser(payload.user, attributes);
  const request = readRequest(payload.request, attributes);
  const fingerprint = fingerprintOf(payload.fingerprint);
  if (fingerprint !== undefined) attributes.set(CLIENT_FINGERPRINT_ATTRIBUTE, fingerprint);
  const breadcrumbs = breadcrumbsOf(payload.breadcrumbs);
  if (breadcrumbs !== '') attributes.set('sentry.breadcrumbs', breadcrumbs);
  for (const [key, attribute] of [
    ['host.name', payload.server_name],
    ['sentry.platform', payload.platform],
    ['logger.name', payload.logger],
    ['sentry.project', project.projectId],
  ] as const) {
    const text = textOf(attribute);
    if (text !== '') attributes.set(key, text);
  }

  const trace = isRecord(payload.contexts) && isRecord(payload.contexts.trace) ? payload.contexts.trace : {};
  const inSpan = context.inSpan || textOf(trace.op) !== '' || textOf(trace.parent_span_id) !== '';
  const transaction = textOf(payload.transaction);
  const { method, route } = routeOfTransaction(transaction);
  const service = textOf(tags.get('service')).trim() || project.service;
  const level = LEVELS[textOf(payload.level).toLowerCase()] ?? 'error';
  const chain: StructuredException[] = exceptions.map(({ type: t, message: m, frames }) => ({
    type: t || 'Error',
    message: capText(m, options.maxMessageBytes),
    frames,
  }));
  const event: ErrorEvent = {
    id: hexId(payload.event_id, 32) || undefined,
    source: 'sentry',
    service,
    serviceVersion: textOf(payload.release),
    environment: textOf(payload.environment) || project.environment,
    traceId: inSpan ? hexId(trace.trace_id, 32) : '',
    spanId: inSpan ? hexId(trace.span_id, 16) : '',
    timestampMs: Math.round(timeMs(payload.timestamp) ?? context.nowMs),
    level,
    type,
    message: capText(message, options.maxMessageBytes),
    stacktrace: capText(renderChain(chain), options.maxStacktraceBytes),
    ...(chain.length > 0 ? { exceptions: chain } : {}),
    escaped: undefined,
    handled: !exceptions.some((exception) => exception.handled === false),
    spanName: transaction,
    httpRoute: route,
    httpMethod: request.method || method,
    httpStatusCode: 0,
    urlPath: request.path,
    attributes,
  };
  return { ok: true, event };
}

interface ReadException {
  readonly type: string;
  readonly message: string;
  readonly frames: readonly StructuredFrame[];
  readonly handled: boolean | undefined;
  readonly synthetic: boolean;
}

/** Sentry's `exception` (`{values: […]}`, or a bare list from old SDKs), turned top-level first. */
function exceptionChain(exception: unknown): ReadException[] {
  const values = isRecord(exception) ? exception.values : exception;
  if (!Array.isArray(values)) return [];
  const chain: ReadException[] = [];
  // The last value is the exception that was thrown; earlier ones are its causes, oldest first.
  for (let i = values.length - 1; i >= 0 && chain.length < MAX_EXCEPTIONS; i--) {
    const value: unknown = values[i];
    if (!isRecord(value)) continue;
    const mechanism = isRecord(value.mechanism) ? value.mechanism : {};
    const stacktrace = isRecord(value.stacktrace) ? value.stacktrace : isRecord(value.raw_stacktrace) ? value.raw_stacktrace : {};
    chain.push({
      type: textOf(value.type),
      message: textOf(value.value),
      frames: framesOf(stacktrace.frames),
      handled: typeof mechanism.handled === 'boolean' ? mechanism.handled : undefined,
      synthetic: mechanism.synthetic === true,
    });
  }
  return chain;
}

/** stacktrace.frames, outermost call first as Sentry sends them, capped as parsed ones are. */
function framesOf(frames: unknown): readonly StructuredFrame[] {
  if (!Array.isArray(frames)) return [];
  const read: StructuredFrame[] = [];
  for (const frame of capFrames(frames)) {
    if (!isRecord(frame)) continue;
    const file = textOf(frame.abs_path) || textOf(frame.filename);
    read.push({
      function: textOf(frame.function) || textOf(frame.symbol),
      module: textOf(frame.module) || file || textOf(frame.package),
      file,
      line: positive(frame.lineno),
      column: positive(frame.colno),
      inApp: typeof frame.in_app === 'boolean' ? frame.in_app : undefined,
    });
  }
  return read;
}

function positive(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** The chain as people read a trace: each exception's line, its frames innermost first, causes after. */
export function renderChain(chain: readonly StructuredException[]): string {
  const lines: string[] = [];
  chain.forEach((exception, index) => {
    const head = exception.message === '' ? exception.type : `${exception.type}: ${exception.message}`;
    lines.push(index === 0 ? head : `Caused by: ${head}`);
    for (let i = exception.frames.length - 1; i >= 0; i--) {
      const frame = exception.frames[i]!;
      const where = [frame.file || frame.module, frame.line || '', frame.column || ''].filter((part) => part !== '').join(':');
      lines.push(`    at ${frame.function || '?'} (${where})`);
    }
  });
  return lines.join('\n');
}

/** `message` (a string, or `{formatted, message}`), else `logentry`. */
function messageOf(payload: Json): string {
  for (const candidate of [payload.logentry, payload.message]) {
    if (typeof candidate === 'string' && candidate !== '') return candidate;
    if (isRecord(candidate)) {
      const text = textOf(candidate.formatted) || textOf(candidate.message);
      if (text !== '') return text;
    }
  }
  return '';
}
