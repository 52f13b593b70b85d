// Builders shared by the metrics tests: an exporter config and events/timings with defaults.

import type { PrometheusExporterConfig } from '../../src/metrics/config.js';
import type { ErrorEvent, Extracted, SpanTiming } from '../../src/extract/error-event.js';

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

export function exporterConfig(overrides: Partial<PrometheusExporterConfig> = {}): PrometheusExporterConfig {
  return {
    type: 'prometheus',
    id: 'prometheus',
    durationBuckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    cardinalityLimit: 2000,
    metricsExpirationMs: 15 * 60_000,
    ...overrides,
  };
}

export function errorEvent(overrides: Partial<ErrorEvent> = {}): ErrorEvent {
  return {
    source: 'span',
    service: 'checkout',
    serviceVersion: '1.2.3',
    environment: 'production',
    traceId: TRACE_ID,
    spanId: 'b7ad6b7169203331',
    timestampMs: 1_700_000_000_000,
    level: 'error',
    type: 'TypeError',
    message: 'Cannot read properties of undefined (reading "id")',
    attributes: new Map(),
    stacktrace: 'TypeError: Cannot read properties of undefined\n    at handler (/app/checkout.js:10:5)',
    escaped: true,
    handled: false,
    spanName: 'POST /checkout',
    httpRoute: '/checkout',
    httpMethod: 'POST',
    httpStatusCode: 500,
    urlPath: '/checkout',
    ...overrides,
  };
}

export function spanTiming(overrides: Partial<SpanTiming> = {}): SpanTiming {
  return {
    service: 'checkout',
    spanName: 'POST /checkout',
    spanKind: 'SPAN_KIND_SERVER',
    statusCode: 'STATUS_CODE_UNSET',
    durationSeconds: 0.12,
    traceId: TRACE_ID,
    ...overrides,
  };
}

export function extracted(events: readonly ErrorEvent[], timings: readonly SpanTiming[] = []): Extracted {
  return { events, timings, skippedExceptions: 0 };
}
