// Faultline's error codes. Each error is classified once, here: permanent (the sender must not
// retry: the data is wrong) or retryable (try again later: we are overloaded or shutting down).
// receiver/status.ts maps a code to a gRPC code and an HTTP status; docs/errors.md lists every
// code and a test keeps the two in step.

export const ErrorCodes = {
  /** The body is not valid protobuf/JSON for the expected message, or a field has the wrong type. */
  FL_DECODE: { retryable: false, summary: 'request body could not be decoded' },
  /** The body (after decompression) or a gRPC message is larger than the configured limit. */
  FL_TOO_LARGE: { retryable: false, summary: 'request body exceeds the configured limit' },
  /** Content-Type is neither application/x-protobuf nor application/json. */
  FL_UNSUPPORTED_MEDIA_TYPE: { retryable: false, summary: 'unsupported content type' },
  /** Content-Encoding is not gzip, deflate, br or identity. */
  FL_UNSUPPORTED_ENCODING: { retryable: false, summary: 'unsupported content encoding' },
  /** The request lacks the configured credentials (the report API's bearer token). */
  FL_UNAUTHORIZED: { retryable: false, summary: 'missing or wrong credentials' },
  /** The credentials are well formed but not allowed here (a Sentry key sent for a project that is not configured). */
  FL_FORBIDDEN: { retryable: false, summary: 'not allowed' },
  /** A per-sender quota is used up (a Sentry project's events per minute); retry after the pause given. */
  FL_RATE_LIMITED: { retryable: true, summary: 'quota exceeded' },
  /** No such path on this receiver. */
  FL_NOT_FOUND: { retryable: false, summary: 'no such endpoint' },
  /** The path exists but not for this method. */
  FL_METHOD_NOT_ALLOWED: { retryable: false, summary: 'method not allowed' },
  /** The pipeline queue is full; the sender should retry after a pause. */
  FL_OVERLOADED: { retryable: true, summary: 'pipeline is overloaded' },
  /** Faultline is shutting down; the sender should retry (another replica or after restart). */
  FL_SHUTTING_DOWN: { retryable: true, summary: 'shutting down' },
  /** The configuration file is invalid (reported at start-up, never after). */
  FL_CONFIG: { retryable: false, summary: 'invalid configuration' },
  /** An unexpected internal failure; logged with detail, answered without it. */
  FL_INTERNAL: { retryable: true, summary: 'internal error' },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class FaultlineError extends Error {
  readonly code: ErrorCode;
  /** Seconds the sender should wait before retrying (retryable codes only). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { retryAfterSeconds?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FaultlineError';
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  get retryable(): boolean {
    return ErrorCodes[this.code].retryable;
  }
}

/** A decode failure; the message names the field, the byte offset or the JSON path. */
export function decodeError(message: string): FaultlineError {
  return new FaultlineError('FL_DECODE', message);
}

/** Any thrown value as a FaultlineError; unknown failures become FL_INTERNAL. */
export function asFaultlineError(error: unknown): FaultlineError {
  if (error instanceof FaultlineError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FaultlineError('FL_INTERNAL', message, { cause: error });
}
