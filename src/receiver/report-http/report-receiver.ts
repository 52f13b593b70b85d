// The `report` receiver (receivers.report): error reports from apps without an OpenTelemetry SDK:
// POST /api/v1/report and POST /report (the same handler) on the OTLP/HTTP port (HttpMounts) or,
// with `endpoint` set, a listener of its own. So apps can send reports without reaching the admin
// endpoint; there those paths answer 410 naming where reports go now. The body
// (parse-report.ts) becomes one ErrorEvent with source `report`, queued for the pipeline that lists
// this receiver (logs, or traces when only it does), so it passes the same processors and
// exporters as OTLP events. The reply is 201 {"id"} with the event's id, generated here at receive
// time and carried as the event's `id`: GET /api/v1/events/:id finds the event
// once stored (unless sampling left it out of the samples).
//
// Keys (defaults in config.ts): max_request_body_size (after gzip/deflate), auth.bearer_token ('' = no auth; the
// token is compared in constant time and never logged). Answers: 400 with every field problem
// (`error.message: expected a string`) or for a body nested deeper than 64 levels (read from its
// bytes before JSON.parse), 401 without the token, 405 for a method other than POST, 413 over the
// limit, 415 for non-JSON, 503 + Retry-After when the pipeline queue is full or Faultline is shutting down.
// Metrics: the faultline_receiver_* self-metrics with transport `http` (refusal reason
// `unauthorized` for 401).

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { Logger } from 'pino';
import { json, type AdminRoutes } from '../../admin/admin-server.js';
import type { Component, ReceiverFactory, ReceiverPart } from '../../component.js';
import { REPORT_RECEIVER_DEFAULTS, reportReceiverType, type ReportReceiverConfig } from './config.js';
import { FaultlineError, asFaultlineError } from '../../errors.js';
import type { Clock } from '../../internal/clock.js';
import type { SelfMetrics } from '../../metrics/self-metrics.js';
import type { SignalRoute } from '../../pipeline/ingest.js';
import { admitInto, type QueueStage } from '../../pipeline/queue-stage.js';
import { decodeContentEncoding, readRawBody } from '../../internal/read-body.js';
import { publicMessage, replyError } from '../http-reply.js';
import { onOwnListener } from '../http-listener.js';
import type { HttpHandler } from '../http-mounts.js';
import { linkMounted, ownListeners } from '../mounted-config.js';
import { createReceiverObserver } from '../receiver-observer.js';
import { jsonNestsDeeperThan } from '../../internal/json-depth.js';
import { idTimePrefix } from '../../internal/time-ordered-id.js';
import { MAX_METADATA_DEPTH, parseReport } from './parse-report.js';

export const REPORT_PATHS = ['/api/v1/report', '/report'] as const;
const RETRY_AFTER_SECONDS = 1;
/** Metadata may nest MAX_METADATA_DEPTH levels (a 400 naming it past that); a body far deeper is refused before JSON.parse. */
const MAX_REPORT_JSON_DEPTH = 2 * MAX_METADATA_DEPTH;

export interface ReportReceiverOptions {
  readonly config: ReportReceiverConfig;
  readonly queue: QueueStage;
  /** The pipeline the reports feed, and its signal for the self-metrics' labels. */
  readonly route: SignalRoute;
  readonly signal: 'logs' | 'traces';
  readonly selfMetrics: SelfMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface ReportReceiver extends Component {
  /** Serves one request to a report path (on the OTLP/HTTP listener or its own). */
  readonly handler: HttpHandler;
}

export function createReportReceiver(options: ReportReceiverOptions): ReportReceiver {
  const { config, queue, route, selfMetrics, clock, logger } = options;
  const { signal } = options;
  const observer = createReceiverObserver({ receiver: config.id, transport: 'http', selfMetrics, logger, operation: 'report' });
  const expectedToken = config.bearerToken === '' ? null : digest(config.bearerToken);
  let accepting = false;

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    if (request.method !== 'POST') {
      request.resume();
      response.writeHead(405, { Allow: 'POST', 'Content-Type': 'application/json' }).end(JSON.stringify({ error: `${request.method} is not allowed; POST a report` }));
      return;
    }
    // Its bytes count against service.queue_bytes from before it is read until its event is queued.
    const reading = queue.reserveBody();
    try {
      if (!accepting) {
        throw new FaultlineError('FL_SHUTTING_DOWN', 'Faultline is not accepting reports now; retry later', {
          retryAfterSeconds: RETRY_AFTER_SECONDS,
        });
      }
      if (expectedToken !== null && !authorized(request.headers.authorization, expectedToken)) {
        request.resume();
        throw new FaultlineError('FL_UNAUTHORIZED', 'authorization: expected "Bearer <token>" with the configured token');
      }
      const contentType = (request.headers['content-type'] ?? 'application/json').split(';', 1)[0]!.trim().toLowerCase();
      if (contentType !== 'application/json' && contentType !== 'text/plain') {
        request.resume();
        throw new FaultlineError('FL_UNSUPPORTED_MEDIA_TYPE', `Content-Type "${contentType}" is not supported; send application/json`);
      }
      const raw = await readRawBody(request, config.maxRequestBodyBytes, reading);
      const body = await decodeContentEncoding(raw, request.headers['content-encoding'], config.maxRequestBodyBytes);
      if (jsonNestsDeeperThan(body, MAX_REPORT_JSON_DEPTH)) {
        throw new FaultlineError('FL_DECODE', `body: expected JSON nested at most ${MAX_REPORT_JSON_DEPTH} levels deep`);
      }
      let parsedJson: unknown;
      try {
        parsedJson = JSON.parse(body.toString('utf8'));
      } catch (error) {
        throw new FaultlineError('FL_DECODE', `body: expected JSON (${(error as Error).message})`);
      }
      // Time first (as the ids of other events are): the samples' id index grows at its end.
      const receivedMs = clock.now();
      const id = idTimePrefix(receivedMs) + randomBytes(10).toString('hex');
      const parsed = parseReport(parsedJson, id, receivedMs, route.options);
      if (!parsed.ok) {
        observer.invalid(signal, 1, started);
        json(response, 400, { error: parsed.problems.join('; '), problems: parsed.problems });
        return;
      }
      reading.close(); // the event's own bytes count from here (enqueue)
      admitInto(queue);
      queue.enqueue({ events: [parsed.event], timings: [], skippedExceptions: 0 }, 1, route.consumer);
      observer.accepted(signal, { accepted: 1, rejected: 0, skippedExceptions: 0 }, started);
      json(response, 201, { id });
    } catch (thrown) {
      const error = asFaultlineError(thrown);
      observer.failed(signal, thrown, started, 1);
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (error.code === 'FL_TOO_LARGE' || error.code === 'FL_UNSUPPORTED_MEDIA_TYPE') headers.Connection = 'close';
      if (error.code === 'FL_UNAUTHORIZED') headers['WWW-Authenticate'] = 'Bearer realm="faultline"';
      replyError(response, error, JSON.stringify({ error: publicMessage(error) }), headers);
    } finally {
      reading.close();
    }
  }

  return {
    handler: (request, response) => void handle(request, response),
    async start() {
      accepting = true;
    },
    async shutdown() {
      accepting = false;
    },
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares digests, so the comparison takes the same time whatever the token's length or content. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = digest(match?.[1] ?? '');
  return timingSafeEqual(given, expected) && match !== null;
}

export const reportReceiverFactory: ReceiverFactory<ReportReceiverConfig> = {
  type: 'report',
  defaults: REPORT_RECEIVER_DEFAULTS,
  schema: reportReceiverType,
  listeners: ownListeners,
  link: (config, configured, path) => linkMounted(config, configured, path, { what: 'the report receiver', serves: 'reports' }),
  // Reports feed one pipeline: logs, else traces.
  create(config, context): ReceiverPart[] {
    const signal = context.routes.logs !== undefined ? 'logs' : 'traces';
    const route = context.routes[signal];
    if (route === undefined) return [];
    const { queue, selfMetrics, clock } = context;
    const logger = context.logger.child({ receiver: config.id });
    const receiver = createReportReceiver({ config, queue, route, signal, selfMetrics, clock, logger });
    routeMovedNote(context.admin, config);
    if (config.endpoint === '') {
      for (const path of REPORT_PATHS) context.httpMounts.mountPath(path, receiver.handler);
      return [{ component: receiver }];
    }
    const { shutdownTimeoutMs } = context;
    return [onOwnListener(receiver, { id: config.id, endpoint: config.endpoint, name: 'report receiver', logger, shutdownTimeoutMs, listenerMetrics: selfMetrics.listeners })];
  },
};

/** The admin endpoint answers the old paths 410 with where reports go now; public, as senders hold no admin credentials. */
function routeMovedNote(admin: AdminRoutes, config: ReportReceiverConfig): void {
  const where =
    config.endpoint === ''
      ? 'the OTLP/HTTP port (receivers.otlp.protocols.http.endpoint, 4318 by default)'
      : `the report receiver's own port (receivers.${config.id}.endpoint: ${config.endpoint})`;
  for (const path of REPORT_PATHS) {
    admin.route('POST', path, (request, response) => {
      request.resume();
      json(response, 410, { error: `reports are no longer taken on the admin endpoint: POST them to ${path} on ${where}` });
    }, { public: true });
  }
}
