// OTLP/HTTP receiver: POST /v1/traces, /v1/logs, /v1/metrics with application/x-protobuf or
// application/json bodies, Content-Encoding gzip/deflate/identity. Replies mirror the request's
// encoding: an Export*ServiceResponse (with partial_success when items were rejected) on success,
// a google.rpc.Status on failure. Keys: receivers.otlp.protocols.http.{endpoint,
// max_request_body_size, cors}. Statuses come from receiver/status.ts: 400 malformed, 413 too
// large, 415 unsupported type or encoding, 404/405 wrong path or method, 503 + Retry-After when
// the pipeline is full or shutting down, 431 for headers past Node's 16 KiB limit, 408 for a
// request not read within its timeouts. Connection limits, read timeouts and keep-alive:
// internal/http-listener.ts (keys max_connections, max_connections_per_client,
// read_header_timeout, read_timeout, idle_timeout, max_requests_per_connection).
// Paths another receiver mounted (HttpMounts: the sentry receiver's /api/) are handed to it.
// Self-metrics: faultline_receiver_* with transport="http".

import type http from 'node:http';
import type { Logger } from 'pino';
import type { OtlpHttpConfig } from '../otlp/config.js';
import { asFaultlineError, FaultlineError } from '../../errors.js';
import type { ListenerMetrics } from '../../internal/connection-gate.js';
import { encodeExportResponse, encodeStatus } from '../../otlp/response.js';
import type { Signal } from '../../otlp/types.js';
import type { PayloadFormat } from '../../pipeline/ingest.js';
import type { ExportHandler } from '../export-handler.js';
import { createHttpListener, type HttpListener } from '../http-listener.js';
import type { HttpMounts } from '../http-mounts.js';
import { publicMessage, replyError } from '../http-reply.js';
import { STATUS_BY_CODE } from '../status.js';
import { createCors } from './cors.js';
import { decodeContentEncoding, readRawBody } from '../../internal/read-body.js';

const SIGNAL_BY_PATH: { readonly [path: string]: Signal } = {
  '/v1/traces': 'traces',
  '/v1/logs': 'logs',
  '/v1/metrics': 'metrics',
};

const CONTENT_TYPE: { readonly [F in PayloadFormat]: string } = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

export type HttpReceiver = HttpListener;

export function createHttpReceiver(options: {
  config: OtlpHttpConfig;
  handler: ExportHandler;
  logger: Logger;
  shutdownTimeoutMs: number;
  /** Paths other receivers serve on this listener (the sentry receiver's /api/). */
  mounts?: HttpMounts;
  /** Its name in the listener metrics (`otlp.http`). */
  listener: string;
  listenerMetrics: ListenerMetrics;
}): HttpReceiver {
  const { config, handler, logger, shutdownTimeoutMs } = options;
  const cors = createCors(config.cors);
  const mounts = options.mounts;
  const listener = createHttpListener({
    endpoint: config.endpoint,
    logger,
    shutdownTimeoutMs,
    name: 'OTLP/HTTP receiver',
    listener: options.listener,
    limits: config.limits,
    listenerMetrics: options.listenerMetrics,
    handler(request, response) {
      serve(request, response).catch((error: unknown) => {
        logger.error({ err: error }, 'OTLP/HTTP request failed unexpectedly');
        if (!response.headersSent) respondError(response, 'json', asFaultlineError(error));
      });
    },
  });

  async function serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const startedAt = process.hrtime.bigint();
    const path = (request.url ?? '/').split('?', 1)[0];
    const signal = SIGNAL_BY_PATH[path];
    const mounted = signal === undefined ? mounts?.find(path) : undefined;
    if (mounted !== undefined) return mounted(request, response);
    if (request.method === 'OPTIONS' && signal !== undefined && handler.serves(signal)) {
      request.resume();
      return cors.preflight(request, response);
    }
    cors.apply(request, response);
    if (signal === undefined || !handler.serves(signal)) {
      request.resume();
      return respondError(response, 'json', notFound(path, signal));
    }
    if (request.method !== 'POST') {
      request.resume();
      response.setHeader('Allow', 'POST, OPTIONS');
      return respondError(response, 'json', new FaultlineError('FL_METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; use POST`));
    }
    const format = formatOf(request.headers['content-type']);
    if (format === undefined) {
      request.resume();
      const error = new FaultlineError(
        'FL_UNSUPPORTED_MEDIA_TYPE',
        `Content-Type "${request.headers['content-type'] ?? ''}" is not supported; use application/x-protobuf or application/json`,
      );
      handler.refuse(signal, error, startedAt);
      return respondError(response, 'json', error);
    }
    let body: Buffer;
    // The body's bytes count against service.queue_bytes from before it is read (its Content-Length)
    // until its batch is queued; with no room, 503 before reading it.
    const reading = handler.reserveBody();
    try {
      // A full pipeline is said before the body is read: reading it would only hold more memory.
      handler.admit();
      const raw = await readRawBody(request, config.maxRequestBodyBytes, reading);
      body = await decodeContentEncoding(raw, request.headers['content-encoding'], config.maxRequestBodyBytes);
    } catch (error) {
      reading.close();
      handler.refuse(signal, error, startedAt);
      const failure = asFaultlineError(error);
      if (failure.code === 'FL_OVERLOADED' || failure.code === 'FL_SHUTTING_DOWN') {
        // Refused for want of room: the rest of the body is read and dropped (nothing held), so the
        // sender gets the 503 and its Retry-After; closing with the body unread made a client still
        // sending it see a connection reset instead.
        request.resume();
      } else {
        // The rest of an oversized body is not read: close the connection after replying.
        response.setHeader('Connection', 'close');
      }
      return respondError(response, format, failure);
    }
    let reply: Uint8Array | string;
    try {
      const result = await handler.handle(signal, format, body, startedAt, reading);
      reply = encodeExportResponse(signal, result.rejected, result.errorMessage, format);
    } catch (error) {
      return respondError(response, format, asFaultlineError(error));
    } finally {
      reading.close();
    }
    response.writeHead(200, { 'Content-Type': CONTENT_TYPE[format] }).end(reply);
  }

  return listener;
}

/** application/x-protobuf (or application/protobuf) and application/json, parameters ignored. */
function formatOf(contentType: string | undefined): PayloadFormat | undefined {
  if (contentType === undefined) return undefined;
  const mediaType = contentType.split(';', 1)[0].trim().toLowerCase();
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}

function notFound(path: string, signal: Signal | undefined): FaultlineError {
  if (signal !== undefined) return new FaultlineError('FL_NOT_FOUND', `${path} is not served: this receiver is in no ${signal} pipeline`);
  return new FaultlineError('FL_NOT_FOUND', `no such path ${path}; OTLP/HTTP paths are /v1/traces, /v1/logs and /v1/metrics`);
}

function respondError(response: http.ServerResponse, format: PayloadFormat, error: FaultlineError): void {
  const body = encodeStatus(STATUS_BY_CODE[error.code].grpc, publicMessage(error), format);
  replyError(response, error, body, { 'Content-Type': CONTENT_TYPE[format] });
}
