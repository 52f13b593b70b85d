// Starts a real Faultline in this process on free loopback ports, for tests. Every instance has
// its own registry, so tests may run several at once.

import { Writable } from 'node:stream';
import { parseConfig } from './config.js';
import type { Clock } from '../../src/internal/clock.js';
import { createLogger } from '../../src/internal/logger.js';
import { COMPONENTS } from '../../src/components.js';
import { createFaultline, type Faultline } from '../../src/service.js';

export const DEFAULT_TEST_CONFIG = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:0
      http:
        endpoint: 127.0.0.1:0
        cors:
          allowed_origins: [https://app.example.com]
processors:
  errors: {}
  identity: { settle_time: 100ms }
exporters:
  prometheus: {}
extensions:
  health_check: {}
service:
  extensions: [health_check]
  pipelines:
    traces: { receivers: [otlp], processors: [errors, identity], exporters: [prometheus] }
    logs: { receivers: [otlp], processors: [errors, identity], exporters: [prometheus] }
    metrics: { receivers: [otlp] }
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`;

export interface RunningFaultline {
  readonly faultline: Faultline;
  /** http://127.0.0.1:PORT of the OTLP/HTTP receiver. */
  readonly httpUrl: string;
  /** 127.0.0.1:PORT of the OTLP/gRPC receiver. */
  readonly grpcAddress: string;
  /** http://127.0.0.1:PORT of the admin server. */
  readonly adminUrl: string;
  /** Every log line Faultline wrote, parsed. */
  readonly logs: Record<string, unknown>[];
  /** GET /metrics as Prometheus text. */
  scrape(accept?: string): Promise<string>;
  /** Shuts Faultline down; `failed` names the components whose shutdown failed. */
  stop(): Promise<{ readonly failed: readonly string[] }>;
}

/** `clock`: the time every component reads (a ManualClock makes windows and quotas deterministic). */
export async function startFaultline(yamlText: string = DEFAULT_TEST_CONFIG, options: { clock?: Clock } = {}): Promise<RunningFaultline> {
  const loaded = parseConfig(yamlText, {});
  if (!loaded.ok) throw new Error(`test config is invalid: ${JSON.stringify(loaded.problems)}`);
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(JSON.parse(line));
      done();
    },
  });
  const faultline = createFaultline(loaded.config, COMPONENTS, { logger: createLogger('info', destination), clock: options.clock });
  await faultline.start();
  const addresses = faultline.addresses();
  const at = (name: string) => addresses[name]?.port;
  const adminUrl = `http://127.0.0.1:${at('admin')}`;
  return {
    faultline,
    httpUrl: `http://127.0.0.1:${at('otlp.http')}`,
    grpcAddress: `127.0.0.1:${at('otlp.grpc')}`,
    adminUrl,
    logs,
    async scrape(accept?: string) {
      const response = await fetch(`${adminUrl}/metrics`, accept ? { headers: { accept } } : {});
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
      return response.text();
    },
    stop: () => faultline.shutdown(),
  };
}

/** Waits until `check` returns true: the pipeline drains on the next event-loop turn. Bounded. */
export async function eventually(check: () => Promise<boolean> | boolean, attempts = 100): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not met after bounded wait');
}
