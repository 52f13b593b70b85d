// What both transports do with one export request once they hold its bytes: hand it to the
// pipeline's ingest step and record the receiver's self-metrics. Bad input is counted here, not
// logged per request; only unexpected failures are logged.

import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { asFaultlineError } from '../errors.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import type { Signal } from '../otlp/types.js';
import type { Ingest, IngestResult, PayloadFormat } from '../pipeline/ingest.js';
import { selfTracer } from '../internal/self-tracing.js';


export type Transport = 'grpc' | 'http';

export interface ExportHandler {
  serves(signal: Signal): boolean;
  /** Returns the ingest result, or throws a FaultlineError after counting it. */
  handle(signal: Signal, format: PayloadFormat, body: Uint8Array, startedAt: bigint): IngestResult;
  /** Counts a request refused before its body reached the pipeline (too large, bad encoding…). */
  refuse(signal: Signal, error: unknown, startedAt: bigint): void;
}

export function createExportHandler(options: {
  receiver: string;
  transport: Transport;
  ingest: Ingest;
  selfMetrics: SelfMetrics;
  logger: Logger;
}): ExportHandler {
  const { receiver, transport, ingest, selfMetrics, logger } = options;
  const tracer = selfTracer();

  function observeDuration(signal: Signal, startedAt: bigint): void {
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    selfMetrics.requestDuration.observe({ receiver, transport, signal }, seconds);
  }

  function refuse(signal: Signal, error: unknown, startedAt: bigint): void {
    const failure = asFaultlineError(error);
    const labels = { receiver, transport, signal };
    if (failure.code === 'FL_DECODE') selfMetrics.decodeErrors.inc(labels);
    if (failure.code === 'FL_INTERNAL') logger.error({ err: error, receiver, transport, signal }, 'export request failed');
    selfMetrics.requests.inc({ ...labels, outcome: failure.retryable ? 'error' : 'refused' });
    observeDuration(signal, startedAt);
  }

  return {
    serves: (signal) => ingest.serves(signal),
    refuse,
    handle(signal, format, body, startedAt) {
      const span = tracer.startSpan(`faultline export ${signal}`, {
        kind: SpanKind.SERVER,
        attributes: { 'faultline.receiver': receiver, 'faultline.transport': transport, 'faultline.body_bytes': body.length },
      });
      let result: IngestResult;
      try {
        result = ingest.accept(signal, format, body);
      } catch (error) {
        const failure = asFaultlineError(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
        span.setAttribute('error.type', failure.code);
        span.end();
        refuse(signal, error, startedAt);
        throw failure;
      }
      span.setAttributes({ 'faultline.accepted_items': result.accepted, 'faultline.rejected_items': result.rejected });
      span.end();
      const labels = { receiver, transport, signal };
      selfMetrics.acceptedItems.inc(labels, result.accepted);
      if (result.rejected > 0) selfMetrics.refusedItems.inc({ ...labels, reason: 'invalid' }, result.rejected);
      if (result.accepted === 0 && result.rejected === 0) selfMetrics.emptyRequests.inc(labels);
      if (result.skippedExceptions > 0) selfMetrics.skippedExceptions.inc(labels, result.skippedExceptions);
      selfMetrics.requests.inc({ ...labels, outcome: result.rejected > 0 ? 'partial' : 'success' });
      observeDuration(signal, startedAt);
      return result;
    },
  };
}
