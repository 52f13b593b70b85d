// The defaults of otel-config.yaml's service and telemetry sections, in the units of FaultlineConfig
// (ms, bytes); each component's defaults live in its own config.ts. docs/config.md lists the same values.

import { ADMIN_AUTH_DEFAULTS } from './admin-auth.js';
import type { AdminConfig, SelfTracesConfig, ServiceConfig } from './types.js';

export const ADMIN_DEFAULTS: AdminConfig = {
  endpoint: '0.0.0.0:9464',
  // Scrapers, probes and API users: fewer than an ingest port, and each its own small share.
  limits: {
    maxConnections: 512,
    maxConnectionsPerClient: 64,
    readHeaderTimeoutMs: 10_000,
    readTimeoutMs: 60_000,
    idleTimeoutMs: 65_000,
    maxRequestsPerConnection: 0,
  },
  auth: ADMIN_AUTH_DEFAULTS,
};

export const SELF_TRACES_DEFAULTS: SelfTracesConfig = { endpoint: '', sampleRatio: 1 };

export const SERVICE_DEFAULTS: Pick<ServiceConfig, 'queueSize' | 'queueBytes' | 'decodeWorkers' | 'shutdownTimeoutMs' | 'dataDir' | 'publicUrl' | 'traceUrl'> & {
  readonly logLevel: ServiceConfig['telemetry']['logs']['level'];
} = {
  queueSize: 100_000,
  queueBytes: 64 * 1024 * 1024,
  decodeWorkers: 2,
  shutdownTimeoutMs: 10_000,
  dataDir: './data',
  publicUrl: '',
  traceUrl: '',
  logLevel: 'info',
};
