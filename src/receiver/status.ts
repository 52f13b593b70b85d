// The one table from a Faultline error code to what each protocol answers. Permanent errors get
// a 4xx / non-retryable gRPC code so senders drop the data instead of resending it forever;
// retryable ones get 503 / UNAVAILABLE with Retry-After, which every OTLP exporter honours.

import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ErrorCode } from '../errors.js';
import type { RefusalReason } from '../metrics/self-metrics.js';

export interface ProtocolStatus {
  readonly http: number;
  readonly grpc: GrpcStatus;
}

export const STATUS_BY_CODE: { readonly [C in ErrorCode]: ProtocolStatus } = {
  FL_DECODE: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT }, // not retryable
  FL_TOO_LARGE: { http: 413, grpc: GrpcStatus.RESOURCE_EXHAUSTED }, // not retryable (no RetryInfo)
  FL_UNSUPPORTED_MEDIA_TYPE: { http: 415, grpc: GrpcStatus.INVALID_ARGUMENT }, // not retryable
  FL_UNSUPPORTED_ENCODING: { http: 415, grpc: GrpcStatus.UNIMPLEMENTED }, // not retryable
  FL_UNAUTHORIZED: { http: 401, grpc: GrpcStatus.UNAUTHENTICATED }, // not retryable
  FL_FORBIDDEN: { http: 403, grpc: GrpcStatus.PERMISSION_DENIED }, // not retryable
  FL_RATE_LIMITED: { http: 429, grpc: GrpcStatus.RESOURCE_EXHAUSTED }, // retryable, with Retry-After
  FL_NOT_FOUND: { http: 404, grpc: GrpcStatus.UNIMPLEMENTED }, // not retryable
  FL_METHOD_NOT_ALLOWED: { http: 405, grpc: GrpcStatus.UNIMPLEMENTED }, // not retryable
  FL_OVERLOADED: { http: 503, grpc: GrpcStatus.UNAVAILABLE }, // retryable, with Retry-After
  FL_SHUTTING_DOWN: { http: 503, grpc: GrpcStatus.UNAVAILABLE }, // retryable, with Retry-After
  FL_CONFIG: { http: 500, grpc: GrpcStatus.INTERNAL }, // never answered: start-up only
  FL_INTERNAL: { http: 500, grpc: GrpcStatus.INTERNAL }, // retryable
};

/** The self-metric `reason` for items refused with this code. */
export function refusalReason(code: ErrorCode): RefusalReason {
  switch (code) {
    case 'FL_DECODE':
      return 'decode_error';
    case 'FL_TOO_LARGE':
      return 'too_large';
    case 'FL_OVERLOADED':
      return 'overloaded';
    case 'FL_SHUTTING_DOWN':
      return 'shutting_down';
    case 'FL_UNAUTHORIZED':
    case 'FL_FORBIDDEN':
      return 'unauthorized';
    case 'FL_RATE_LIMITED':
      return 'rate_limited';
    case 'FL_INTERNAL':
    case 'FL_CONFIG':
      return 'internal';
    default:
      return 'unsupported';
  }
}
