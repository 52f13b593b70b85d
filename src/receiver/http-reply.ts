// How every receiver answers an error, whatever its transport: the status from status.ts, a
// Retry-After for a retryable error (the error's own, else 1s) so senders back off instead of
// dropping, and a message that never shows an internal error's details.

import type http from 'node:http';
import type { FaultlineError } from '../errors.js';
import { STATUS_BY_CODE } from './status.js';

const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** Seconds a sender should wait before retrying; undefined for an error retrying cannot fix. */
export function retryAfterOf(error: FaultlineError): number | undefined {
  return error.retryable ? (error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS) : undefined;
}

/** The message a sender may see. */
export function publicMessage(error: FaultlineError): string {
  return error.code === 'FL_INTERNAL' ? 'internal error' : error.message;
}

/** Writes an HTTP error reply (unless a reply has begun): status, Retry-After, and `body` as given. */
export function replyError(
  response: http.ServerResponse,
  error: FaultlineError,
  body: string | Uint8Array,
  headers: http.OutgoingHttpHeaders,
): void {
  if (response.headersSent) return;
  const retryAfter = retryAfterOf(error);
  const all = retryAfter === undefined ? headers : { ...headers, 'Retry-After': String(retryAfter) };
  response.writeHead(STATUS_BY_CODE[error.code].http, all).end(body);
}
