// A real Faultline with the groups exporter and the report receiver, its data_dir in a fresh
// temporary directory (or the one given, to restart on it), and small JSON clients for the API.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFaultline, type RunningFaultline } from '../../helpers/faultline.js';

export interface GroupsFaultline extends RunningFaultline {
  readonly dataDir: string;
}

/** `adminAuth`: the flow map of service.telemetry.metrics.auth, e.g. `{ bearer_tokens: [...] }`. */
export async function startWithGroups(
  options: { dataDir?: string; report?: string; groups?: string; identity?: string; queueSize?: number; adminAuth?: string } = {},
): Promise<GroupsFaultline> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'faultline-groups-')));
  const running = await startFaultline(`
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:0 }
      http: { endpoint: 127.0.0.1:0 }
  report: ${options.report ?? '{}'}
processors:
  errors: {}
  identity: ${options.identity ?? '{ settle_time: 100ms }'}
exporters:
  prometheus: {}
  groups: ${options.groups ?? '{ flush_interval: 100ms }'}
service:
  pipelines:
    traces: { receivers: [otlp], processors: [errors, identity], exporters: [prometheus, groups] }
    logs: { receivers: [otlp, report], processors: [errors, identity], exporters: [prometheus, groups] }
  queue_size: ${options.queueSize ?? 1000}
  data_dir: ${JSON.stringify(dataDir)}
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0${options.adminAuth === undefined ? '' : `, auth: ${options.adminAuth}`} }
`);
  return { ...running, dataDir };
}

export interface JsonReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: any;
}

export async function request(url: string, init: RequestInit = {}): Promise<JsonReply> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** POST /api/v1/report with a JSON body to `ingestUrl`: the OTLP/HTTP port (running.httpUrl). */
export function report(ingestUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonReply> {
  return request(`${ingestUrl}/api/v1/report`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export function patch(adminUrl: string, id: string, body: unknown): Promise<JsonReply> {
  return request(`${adminUrl}/api/v1/groups/${id}`, {
    method: 'PATCH',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
}

/** A minimal valid report of `message` from `service`. */
export function reportOf(service: string, message: string, extra: Record<string, unknown> = {}) {
  return { service, error: { message, stack: '', type: 'Error' }, level: 'error', metadata: {}, ...extra };
}

/** The groups of `service` from GET /api/v1/groups (first page, newest first). */
export async function groupsOf(running: RunningFaultline, service: string): Promise<any[]> {
  const reply = await request(`${running.adminUrl}/api/v1/groups?service=${service}`);
  if (reply.status !== 200) throw new Error(`GET /api/v1/groups answered ${reply.status}`);
  return reply.body.groups;
}
