// Error events for the grouping tests, written as what extraction yields, so each case states only
// what it is about.

import type { ErrorEvent } from '../../src/extract/error-event.js';
import type { AttributeValue } from '../../src/otlp/types.js';

export function errorEvent(overrides: Partial<Omit<ErrorEvent, 'attributes'>> & { attributes?: Record<string, AttributeValue> } = {}): ErrorEvent {
  const { attributes = {}, ...rest } = overrides;
  return {
    source: 'span',
    service: 'shop',
    serviceVersion: '1.0.0',
    environment: 'prod',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    timestampMs: 1_700_000_000_123,
    level: 'error',
    type: 'Error',
    message: '',
    stacktrace: '',
    escaped: undefined,
    handled: false,
    spanName: 'GET /users/:id',
    httpRoute: '/users/:id',
    httpMethod: 'GET',
    httpStatusCode: 500,
    urlPath: '/users/42',
    attributes: new Map(Object.entries(attributes)),
    ...rest,
  };
}

/** A V8 stack: `frames` innermost first, as V8 prints them, each `function file line`. */
export function v8Stack(header: string, frames: readonly (readonly [string, string, number, number?])[]): string {
  return [header, ...frames.map(([fn, file, line, column = 5]) => (fn === '' ? `    at ${file}:${line}:${column}` : `    at ${fn} (${file}:${line}:${column})`))].join('\n');
}
