// The `sentry` receiver (receivers.sentry[/name]): Sentry SDKs as clients. A user changes the DSN
// to `http://<key>@<faultline host>:4318/<project id>` and nothing else:
//   POST /api/<project>/envelope/   envelopes (envelope.ts), what every current SDK sends
//   POST /api/<project>/store/      one event as JSON, what older SDKs (sentry-python 1.x) send errors to
// on the OTLP/HTTP listener (HttpMounts) or, with `endpoint` set, a listener of its own. Items
// become ErrorEvents, span timings and log records (envelope-items.ts) and are queued for the
// pipelines that list this receiver, so they pass the same processors (scrub, group, identity…)
// and exporters as OTLP data. The reply is 200 {"id": "<event id>"}.
//
// Auth (auth.ts) from X-Sentry-Auth, ?sentry_key= or the envelope's dsn; bodies gzip, deflate, br
// or identity (max_envelope_size after decompression, so a gzip bomb stops at the limit); CORS for
// browser SDKs (their text/plain POST needs no preflight; Retry-After and X-Sentry-Rate-Limits are
// exposed to them). Answers, as {"detail": "…"}: 400 not an envelope, or every item malformed;
// 401 missing or wrong key; 403 unknown project; 404 other paths; 405 not POST; 413 too large
// (the envelope, or its only event); 429 with Retry-After and X-Sentry-Rate-Limits when a project's
// quota is used up (project-quota.ts), the pipeline queue is full or Faultline is shutting down:
// Sentry SDKs back off on 429, not on 503. A malformed item is refused alone; the rest is kept.
// Metrics: faultline_receiver_* (transport http, signal of the events' pipeline) and faultline_sentry_*.

import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Component, ReceiverFactory, ReceiverPart } from '../../component.js';
import { asFaultlineError, decodeError, FaultlineError } from '../../errors.js';
import type { Clock } from '../../internal/clock.js';
import { decodeContentEncoding, readRawBody } from '../../internal/read-body.js';
import type { SelfMetrics } from '../../metrics/self-metrics.js';
import type { Signal } from '../../otlp/types.js';
import { admitInto, type QueueStage } from '../../pipeline/queue-stage.js';
import { onOwnListener } from '../http-listener.js';
import type { HttpHandler } from '../http-mounts.js';
import { linkMounted, ownListeners } from '../mounted-config.js';
import { publicMessage, replyError, retryAfterOf } from '../http-reply.js';
import { createCors } from '../otlp-http/cors.js';
import { createReceiverObserver } from '../receiver-observer.js';
import { createProjectResolver, keyOfDsn, keyOfRequest, type ResolvedProject } from './auth.js';
import { SENTRY_RECEIVER_DEFAULTS, sentryReceiverType, type SentryReceiverConfig } from './config.js';
import { parseEnvelope, type Envelope } from './envelope.js';
import { readItems, type ItemRoutes } from './envelope-items.js';
import { createProjectQuota, quotaHeader } from './project-quota.js';
import { createSentryMetrics } from './sentry-metrics.js';
import { hexId, isRecord } from './sentry-values.js';

export const SENTRY_PATH_PREFIX = '/api/';
const PATH = /^\/api\/(\d{1,20})\/(envelope|store)\/?$/;
/** Headers Sentry SDKs may send from browsers besides the CORS-safelisted ones. */
const CORS_HEADERS = ['x-sentry-auth', 'authorization', 'sentry-trace', 'baggage'];

export interface SentryReceiverOptions {
  readonly config: SentryReceiverConfig;
  readonly routes: ItemRoutes;
  /** The signal its requests are counted under in faultline_receiver_*: the events' pipeline. */
  readonly signal: Signal;
  readonly queue: QueueStage;
  readonly selfMetrics: SelfMetrics;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface SentryReceiver extends Component {
  /** Serves one request (on the OTLP/HTTP listener or its own). */
  readonly handler: HttpHandler;
}

export function createSentryReceiver(options: SentryReceiverOptions): SentryReceiver {
  const { config, routes, signal, queue, clock, logger } = options;
  const observer = createReceiverObserver({ receiver: config.id, transport: 'http', selfMetrics: options.selfMetrics, logger, operation: 'sentry' });
  const metrics = createSentryMetrics(options.registry, config.id);
  const resolver = createProjectResolver(config.projects, config.eventsPerMinute);
  const quota = createProjectQuota();
  const cors = createCors({ ...config.cors, allowedHeaders: CORS_HEADERS });
  let accepting = false;

  async function serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(request.url ?? '/', 'http://sentry');
    const match = PATH.exec(url.pathname);
    if (request.method === 'OPTIONS' && match !== null) {
      request.resume();
      return cors.preflight(request, response);
    }
    if (cors.apply(request, response)) response.setHeader('Access-Control-Expose-Headers', 'x-sentry-rate-limits, retry-after');
    if (match === null) {
      request.resume();
      return reply(response, new FaultlineError('FL_NOT_FOUND', `no such path ${url.pathname}; Sentry SDKs send to /api/<project id>/envelope/ or /api/<project id>/store/`));
    }
    if (request.method !== 'POST') {
      request.resume();
      response.setHeader('Allow', 'POST, OPTIONS');
      return reply(response, new FaultlineError('FL_METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${url.pathname}; use POST`));
    }
    const [, projectId, endpoint] = match as unknown as [string, string, 'envelope' | 'store'];
    let items = 0;
    // Its bytes count against service.queue_bytes from before it is read until its batches are queued.
    const reading = queue.reserveBody();
    try {
      if (!accepting) throw new FaultlineError('FL_SHUTTING_DOWN', 'Faultline is not accepting events now; retry later', { retryAfterSeconds: 1 });
      const key = keyOfRequest(header(request, 'x-sentry-auth') ?? header(request, 'authorization'), url.searchParams);
      // A locked receiver refuses a wrong key before reading the body; a key only the envelope's dsn names is checked after.
      let project: ResolvedProject | undefined = key !== '' || !resolver.locked ? resolver.resolve(projectId, key) : undefined;
      const raw = await readRawBody(request, config.maxEnvelopeBytes, reading);
      const body = await decodeContentEncoding(raw, header(request, 'content-encoding'), config.maxEnvelopeBytes);
      const envelope = endpoint === 'store' ? storeEnvelope(body, config.maxEventBytes) : parseEnvelope(body);
      project ??= resolver.resolve(projectId, keyOfDsn(envelope.header.dsn));
      const resolved = project;
      const now = clock.now();
      const result = readItems(envelope.items, {
        project: resolved,
        routes,
        maxEventBytes: config.maxEventBytes,
        nowMs: now,
        inSpan: isRecord(envelope.header.trace) && (envelope.header.trace.transaction !== undefined || envelope.header.trace.sampled !== undefined),
        takeQuota: () => resolved.eventsPerMinute === null || quota.take(resolved.projectId, resolved.eventsPerMinute, now),
      });
      items = envelope.items.length + envelope.rejected.length;
      const rejected = [...envelope.rejected, ...result.rejected];
      for (const { type, outcome } of result.outcomes) metrics.item(type, outcome);
      for (const rejection of rejected) metrics.rejected(rejection.reason);
      for (const { reason, category, quantity } of result.discarded) metrics.discarded(reason, category, quantity);
      if (result.rateLimited > 0) metrics.quotaExceeded(resolved.configured ? resolved.projectId : '*', result.rateLimited);
      const kept = result.outcomes.filter((entry) => entry.outcome === 'stored' || entry.outcome === 'counted').length;
      if (kept === 0 && items > 0) throw refusalOf(rejected, result.rateLimited, resolved);
      reading.close(); // the batches' own bytes count from here (enqueue)
      if (result.batches.length > 0) admitInto(queue);
      for (const batch of result.batches) {
        queue.enqueue(
          { events: batch.events, timings: batch.timings, serverSpans: batch.serverSpans, skippedExceptions: batch.skippedExceptions },
          batch.items,
          batch.route.consumer,
        );
      }
      const skippedExceptions = result.batches.reduce((sum, batch) => sum + batch.skippedExceptions, 0);
      observer.accepted(signal, { accepted: kept, rejected: rejected.length, skippedExceptions }, started);
      if (result.rateLimited > 0) {
        options.selfMetrics.refusedItems.inc({ receiver: config.id, transport: 'http', signal, reason: 'rate_limited' }, result.rateLimited);
      }
      if (result.rateLimited > 0) response.setHeader('X-Sentry-Rate-Limits', quotaHeader(quota.secondsLeft(now)));
      const id = hexId(envelope.header.event_id, 32) || result.eventId || randomBytes(16).toString('hex');
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id }));
    } catch (thrown) {
      const error = asFaultlineError(thrown);
      // A request refused before its items were read counts as one, as a report does.
      observer.failed(signal, thrown, started, Math.max(items, 1));
      if (error.code === 'FL_TOO_LARGE' || error.code === 'FL_UNSUPPORTED_ENCODING') response.setHeader('Connection', 'close');
      request.resume(); // a body refused unread (auth, shutting down) is drained, so the connection can be reused
      reply(response, error);
    } finally {
      reading.close();
    }
  }

  function rateLimited(project: ResolvedProject): FaultlineError {
    const seconds = quota.secondsLeft(clock.now());
    return new FaultlineError('FL_RATE_LIMITED', `project ${project.projectId} used up its quota of ${project.eventsPerMinute} events per minute; retry in ${seconds}s`, {
      retryAfterSeconds: seconds,
    });
  }

  /** Why a request none of whose items was kept is refused: quota first, then size, then malformed. */
  function refusalOf(rejected: readonly { reason: string; message: string }[], rateLimitedItems: number, project: ResolvedProject): FaultlineError {
    if (rateLimitedItems > 0) return rateLimited(project);
    const detail = rejected.slice(0, 5).map((rejection) => rejection.message).join('; ');
    if (rejected.some((rejection) => rejection.reason === 'too_large')) return new FaultlineError('FL_TOO_LARGE', detail);
    return decodeError(`no item could be read: ${detail}`);
  }

  /** Sentry's error reply: {"detail"}, 429 (which SDKs honour) for anything retryable, with its rate-limit header. */
  function reply(response: http.ServerResponse, error: FaultlineError): void {
    const body = JSON.stringify({ detail: publicMessage(error) });
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json' };
    if (error.code === 'FL_UNAUTHORIZED') headers['WWW-Authenticate'] = 'Sentry';
    const retryAfter = retryAfterOf(error);
    if (retryAfter !== undefined && error.code !== 'FL_INTERNAL') {
      const limits = error.code === 'FL_RATE_LIMITED' ? quotaHeader(retryAfter) : `${retryAfter}::organization`;
      if (response.headersSent) return;
      response.writeHead(429, { ...headers, 'Retry-After': String(retryAfter), 'X-Sentry-Rate-Limits': limits }).end(body);
      return;
    }
    replyError(response, error, body, headers);
  }

  const handler: HttpHandler = (request, response) => {
    serve(request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'Sentry request failed unexpectedly');
      if (!response.headersSent) reply(response, asFaultlineError(error));
    });
  };

  return {
    handler,
    async start() {
      accepting = true;
    },
    async shutdown() {
      accepting = false;
    },
  };
}

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A /store/ body is one event: read as an envelope of one event item. */
function storeEnvelope(body: Buffer, maxEventBytes: number): Envelope {
  if (body.length > maxEventBytes) {
    throw new FaultlineError('FL_TOO_LARGE', `the event is ${body.length} bytes; max_event_size is ${maxEventBytes}`);
  }
  return { header: {}, items: [{ type: 'event', header: { type: 'event' }, payload: body }], rejected: [] };
}

export const sentryReceiverFactory: ReceiverFactory<SentryReceiverConfig> = {
  type: 'sentry',
  defaults: SENTRY_RECEIVER_DEFAULTS,
  schema: sentryReceiverType,
  listeners: ownListeners,
  link: (config, configured, path) => linkMounted(config, configured, path, { what: 'the sentry receiver', serves: 'the Sentry endpoints' }),
  create(config, context): ReceiverPart[] {
    const { routes } = context;
    const itemRoutes: ItemRoutes = { events: routes.traces ?? routes.logs, traces: routes.traces, logs: routes.logs };
    if (itemRoutes.events === undefined) return [];
    const logger = context.logger.child({ receiver: config.id });
    const receiver = createSentryReceiver({
      config,
      routes: itemRoutes,
      signal: routes.traces !== undefined ? 'traces' : 'logs',
      queue: context.queue,
      selfMetrics: context.selfMetrics,
      registry: context.registry,
      clock: context.clock,
      logger,
    });
    if (config.endpoint === '') {
      context.httpMounts.mount(SENTRY_PATH_PREFIX, receiver.handler);
      return [{ component: receiver }];
    }
    const { shutdownTimeoutMs } = context;
    return [onOwnListener(receiver, { id: config.id, endpoint: config.endpoint, name: 'Sentry receiver', logger, shutdownTimeoutMs, listenerMetrics: context.selfMetrics.listeners })];
  },
};
