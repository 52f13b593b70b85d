// CORS for browser SDKs. An allowed Origin is echoed exactly (never `*`, so credentialed requests
// such as sendBeacon work) with `Vary: Origin`, on the preflight and on the POST reply alike. A
// disallowed Origin gets no CORS headers at all, and the browser blocks the call.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsConfig } from '../otlp/config.js';

// Always allowed in a preflight: what OTLP exporters send besides the CORS-safelisted headers.
const BASE_ALLOWED_HEADERS = ['content-type', 'content-encoding', 'accept', 'accept-language', 'content-language'];

export interface Cors {
  /** Adds CORS headers to a response for an allowed Origin; returns whether it was allowed. */
  apply(request: IncomingMessage, response: ServerResponse): boolean;
  /** Answers an OPTIONS preflight (204). */
  preflight(request: IncomingMessage, response: ServerResponse): void;
}

export function createCors(config: CorsConfig): Cors {
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  let anyOrigin = false;
  for (const origin of config.allowedOrigins) {
    if (origin === '*') anyOrigin = true;
    else if (origin.includes('*')) patterns.push(wildcardPattern(origin));
    else exact.add(origin);
  }
  const allowedHeaders = new Set([...BASE_ALLOWED_HEADERS, ...config.allowedHeaders.map((h) => h.toLowerCase())]);
  const anyHeader = allowedHeaders.has('*');

  function isAllowed(origin: string): boolean {
    return anyOrigin || exact.has(origin) || patterns.some((pattern) => pattern.test(origin));
  }

  function apply(request: IncomingMessage, response: ServerResponse): boolean {
    const origin = request.headers.origin;
    if (origin === undefined || !isAllowed(origin)) return false;
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.setHeader('Access-Control-Allow-Credentials', 'true');
    response.setHeader('Vary', 'Origin');
    return true;
  }

  return {
    apply,
    preflight(request, response) {
      if (apply(request, response)) {
        response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
        const requested = String(request.headers['access-control-request-headers'] ?? '')
          .split(',')
          .map((header) => header.trim().toLowerCase())
          .filter((header) => header !== '');
        const granted = anyHeader ? requested : requested.filter((header) => allowedHeaders.has(header));
        if (granted.length > 0) response.setHeader('Access-Control-Allow-Headers', granted.join(', '));
        response.setHeader('Access-Control-Max-Age', String(config.maxAgeSeconds));
      }
      response.writeHead(204).end();
    },
  };
}

function wildcardPattern(origin: string): RegExp {
  const [before, after] = origin.split('*', 2);
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escape(before)}[^/]+${escape(after ?? '')}$`);
}
