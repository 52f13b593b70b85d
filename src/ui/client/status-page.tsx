// Status: GET /api/v1/status — each component's health, the version, storage and queue, and the
// configured components by id and type (never their settings).

import { get } from './api.js';
import { bytes, count } from './format.js';
import { Problem, Time, useLoad } from './parts.js';

interface Summary {
  readonly id: string;
  readonly type: string;
}

interface StatusReply {
  readonly version: string;
  readonly node: string;
  readonly started_at: string;
  readonly uptime_seconds: number;
  readonly health: { readonly status: string; readonly components: Readonly<Record<string, { state: string; detail?: string }>> };
  readonly queue: { readonly depth: number; readonly capacity: number };
  readonly storage: { readonly engine: string; readonly where: string; readonly size_bytes: number | null } | null;
  readonly config: {
    readonly receivers: readonly Summary[];
    readonly processors: readonly Summary[];
    readonly exporters: readonly Summary[];
    readonly extensions: readonly Summary[];
    readonly pipelines: Readonly<Record<string, { receivers: readonly string[]; processors: readonly string[]; exporters: readonly string[] }>>;
  };
}

export function StatusPage() {
  const [loaded] = useLoad('status', () => get<StatusReply>('/api/v1/status').then((reply) => reply.body));
  if (loaded.state === 'loading') return <p class="muted">Loading…</p>;
  if (loaded.state === 'error') return <Problem message={loaded.message} />;
  const status = loaded.value;
  return (
    <section>
      <h1>
        Status <span class={`badge health-${status.health.status}`}>{status.health.status}</span>
      </h1>
      <div class="tiles">
        <div class="tile">
          <span class="muted">Version</span>
          <b>{status.version || 'unknown'}</b>
          <span class="small muted">Node {status.node}</span>
        </div>
        <div class="tile">
          <span class="muted">Started</span>
          <b>
            <Time iso={status.started_at} />
          </b>
        </div>
        <div class="tile">
          <span class="muted">Queue</span>
          <b>
            {count(status.queue.depth)} / {count(status.queue.capacity)}
          </b>
          <span class="small muted">items waiting / capacity</span>
        </div>
        <div class="tile">
          <span class="muted">Storage</span>
          <b>{status.storage === null ? 'not used' : status.storage.size_bytes === null ? 'size unknown' : bytes(status.storage.size_bytes)}</b>
          {status.storage !== null && (
            <span class="small muted">
              {status.storage.engine} · {status.storage.where}
            </span>
          )}
        </div>
      </div>
      <h2>Components</h2>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Component</th>
              <th scope="col">State</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(status.health.components).map(([name, entry]) => (
              <tr>
                <td>{name}</td>
                <td>
                  <span class={`badge health-${entry.state}`}>{entry.state}</span>
                </td>
                <td class="small">{entry.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Configuration</h2>
      <dl class="pairs">
        {(['receivers', 'processors', 'exporters', 'extensions'] as const).map((kind) => (
          <>
            <dt>{kind}</dt>
            <dd>{status.config[kind].map((component) => (component.id === component.type ? component.id : `${component.id} (${component.type})`)).join(', ') || '—'}</dd>
          </>
        ))}
        {Object.entries(status.config.pipelines).map(([signal, pipeline]) => (
          <>
            <dt>pipeline {signal}</dt>
            <dd>
              {pipeline.receivers.join(', ')} → {pipeline.processors.join(' → ') || '—'} → {pipeline.exporters.join(', ') || '—'}
            </dd>
          </>
        ))}
      </dl>
    </section>
  );
}
