// What both OTLP transports do with one export request once they hold its bytes: hand it to the
// pipeline's ingest step, trace it, and record the receiver's self-metrics (receiver-observer.ts).
// Bad input is counted, not logged per request; only unexpected failures are logged.

import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { asFaultlineError } from '../errors.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import type { Signal } from '../otlp/types.js';
import type { Ingest, IngestResult, PayloadFormat } from '../pipeline/ingest.js';
import type { BodyReservation } from '../pipeline/queue-stage.js';
import { selfTracer } from '../internal/self-tracing.js';
import { createReceiverObserver, type Transport } from './receiver-observer.js';

export type { Transport } from './receiver-observer.js';

export interface ExportHandler {
  serves(signal: Signal): boolean;
  /** Waits for the request's turn at the event loop, then resolves with the ingest result or rejects with a FaultlineError after counting it. */
  handle(signal: Signal, format: PayloadFormat, body: Uint8Array, startedAt: bigint, reading?: BodyReservation): Promise<IngestResult>;
  /** A reservation to read a body under: its bytes count against service.queue_bytes as they are read. */
  reserveBody(): BodyReservation;
  /** Counts a request refused before its body reached the pipeline (too large, bad encoding…). */
  refuse(signal: Signal, error: unknown, startedAt: bigint): void;
  /** Throws the retryable FaultlineError handle() would when the pipeline admits nothing now: checked before a body is read. */
  admit(): void;
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
  const observer = createReceiverObserver({ receiver, transport, selfMetrics, logger, operation: 'export' });
  const refuse = (signal: Signal, error: unknown, startedAt: bigint) => observer.failed(signal, error, startedAt);

  return {
    serves: (signal) => ingest.serves(signal),
    refuse,
    admit: () => ingest.admit(),
    reserveBody: () => ingest.reserveBody(),
    async handle(signal, format, body, startedAt, reading) {
      const span = tracer.startSpan(`faultline export ${signal}`, {
        kind: SpanKind.SERVER,
        attributes: { 'faultline.receiver': receiver, 'faultline.transport': transport, 'faultline.body_bytes': body.length },
      });
      let result: IngestResult;
      try {
        await ingest.turn(body.length, reading);
        result = await ingest.acceptAsync(signal, format, body);
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
      observer.accepted(signal, result, startedAt);
      return result;
    },
  };
}
