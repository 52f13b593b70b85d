// GET /api/v1/status on the admin endpoint: what the web UI's status page shows.
//   → {version, node, started_at, uptime_seconds, health: /health's report, queue: {depth,
//      capacity}, storage: {engine, where, size_bytes} | null (null when no component uses it),
//      config: {receivers, processors, exporters, extensions: [{id, type}], pipelines: {<signal>:
//      {receivers, processors, exporters}}}}
// The config summary is component ids and types only: no endpoint, URL, token or other setting
// (settings hold secrets), so nothing here needs scrubbing. `where` is the storage's own display
// form (the file, or the PostgreSQL URL without its password). A storage that cannot say its size
// gives size_bytes null rather than failing the page.

import { readFileSync } from 'node:fs';
import { json } from './admin-server.js';
import type { Health } from './health.js';
import type { AdminRoutes } from './routes.js';

const PACKAGE_JSON = new URL('../../../package.json', import.meta.url);

export interface StatusSource {
  readonly health: Health;
  readonly startedAtMs: number;
  now(): number;
  queue(): { readonly depth: number; readonly capacity: number };
  /** Undefined when no component uses the storage. */
  storage(): { readonly engine: string; readonly where: string; sizeBytes(): Promise<number> } | undefined;
  /** Ids and types of the configured components, and the pipelines as lists of ids. */
  readonly config: {
    readonly receivers: readonly ComponentSummary[];
    readonly processors: readonly ComponentSummary[];
    readonly exporters: readonly ComponentSummary[];
    readonly extensions: readonly ComponentSummary[];
    readonly pipelines: Readonly<Record<string, { receivers: readonly string[]; processors: readonly string[]; exporters: readonly string[] }>>;
  };
}

export interface ComponentSummary {
  readonly id: string;
  readonly type: string;
}

/** Faultline's version, from the package.json beside dist/ (or the source tree); '' when unreadable. */
export function faultlineVersion(): string {
  try {
    return String((JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version?: unknown }).version ?? '');
  } catch {
    return '';
  }
}

export function registerStatusApi(admin: AdminRoutes, source: StatusSource): void {
  const version = faultlineVersion();
  admin.route('GET', '/api/v1/status', async (_request, response) => {
    const storage = source.storage();
    let sizeBytes: number | null = null;
    if (storage !== undefined) sizeBytes = await storage.sizeBytes().catch(() => null);
    json(response, 200, {
      version,
      node: process.version,
      started_at: new Date(source.startedAtMs).toISOString(),
      uptime_seconds: Math.round((source.now() - source.startedAtMs) / 1000),
      health: source.health.report(),
      queue: source.queue(),
      storage: storage === undefined ? null : { engine: storage.engine, where: storage.where, size_bytes: sizeBytes },
      config: source.config,
    });
  });
}
