// The real Prometheus for tests: finds `prometheus` and `promtool` on PATH (Debian's `prometheus`
// package, which `npm run test:ci` installs) and fails with a clear message when they are missing, runs
// promtool, starts a private Prometheus on a free loopback port with its storage in a temp dir,
// and reads the PromQL out of the Grafana dashboards in dashboards/.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEERS, requirePeer } from './peers.js';

/** The repository root (this file runs from dist/test/helpers/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DASHBOARDS_DIR = join(REPO_ROOT, 'dashboards');
export const RULES_FILE = join(REPO_ROOT, 'deploy', 'prometheus', 'faultline-rules.yml');
export const RULES_TEST_FILE = join(REPO_ROOT, 'deploy', 'prometheus', 'faultline-rules.test.yml');

/** The absolute path of `name` on PATH; throws (never skips), naming the package, when it is not there. */
export function requireBinary(name: 'prometheus' | 'promtool'): string {
  return requirePeer(PEERS[name]);
}

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs promtool with `args` (and `input` on stdin); bounded by `timeoutMillis`. */
export function runPromtool(args: readonly string[], input?: string, timeoutMillis = 30_000): Promise<ProcessResult> {
  const child = spawn(requireBinary('promtool'), args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMillis });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(input ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A free TCP port on 127.0.0.1 (released before it is returned, so a small race remains). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every `everyMillis` until it returns true; throws after `timeoutMillis`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMillis = 30_000,
  everyMillis = 250,
): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMillis));
  }
  throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  /** Instant vectors: [time, "value"]; range vectors use `values`. */
  readonly value?: readonly [number, string];
  readonly values?: readonly (readonly [number, string])[];
}

export interface QueryResult {
  readonly resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  readonly result: readonly PromSample[] | readonly [number, string];
}

export interface RunningPrometheus {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** GET /api/v1/query; throws with Prometheus' error when the expression does not parse or fails. */
  query(expr: string): Promise<QueryResult>;
  /** GET an API path (e.g. `/api/v1/label/service/values?...`) and return its `data`. */
  api<T>(pathAndQuery: string): Promise<T>;
  /** What Prometheus wrote to stderr (its log), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** host:port of the target to scrape as job `faultline`. */
  readonly target: string;
  readonly scrapeIntervalSeconds?: number;
  readonly ruleFiles?: readonly string[];
}

/**
 * Starts a private Prometheus on 127.0.0.1 scraping `target` as job `faultline`, with exemplar
 * storage on, and waits (bounded) until it is ready. Its storage is a temp dir removed by stop().
 */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = requireBinary('prometheus');
  const directory = mkdtempSync(join(tmpdir(), 'faultline-prometheus-'));
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const configFile = join(directory, 'prometheus.yml');
  writeFileSync(
    configFile,
    [
      'global:',
      `  scrape_interval: ${interval}`,
      `  scrape_timeout: ${interval}`,
      `  evaluation_interval: ${interval}`,
      ...(options.ruleFiles?.length ? ['rule_files:', ...options.ruleFiles.map((file) => `  - ${JSON.stringify(file)}`)] : []),
      'scrape_configs:',
      '  - job_name: faultline',
      '    static_configs:',
      `      - targets: [${JSON.stringify(options.target)}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(directory, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const stop = async () => {
    if (!hasExited) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killTimer);
    }
    rmSync(directory, { recursive: true, force: true });
  };

  async function api<T>(pathAndQuery: string): Promise<T> {
    const response = await fetch(`${url}${pathAndQuery}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { status: string; data: T; error?: string; errorType?: string };
    if (body.status !== 'success') throw new Error(`${pathAndQuery}: ${body.errorType}: ${body.error}`);
    return body.data;
  }

  try {
    await waitFor('Prometheus to be ready', async () => {
      if (hasExited) throw new Error(`prometheus exited: ${stderr}`);
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
      return response.status === 200;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    query: (expr) => api<QueryResult>(`/api/v1/query?query=${encodeURIComponent(expr)}`),
    api,
    log: () => stderr,
    stop,
  };
}

/** Whether a query result holds at least one sample whose value is a number (not NaN). */
export function hasNumericData(result: QueryResult): boolean {
  const numeric = (value: string) => !Number.isNaN(Number(value));
  if (result.resultType === 'scalar') return numeric((result.result as readonly [number, string])[1]);
  for (const sample of result.result as readonly PromSample[]) {
    if (sample.value && numeric(sample.value[1])) return true;
    if (sample.values?.some(([, value]) => numeric(value))) return true;
  }
  return false;
}

// ---- Grafana dashboards ----

export interface DashboardTarget {
  readonly refId?: string;
  readonly expr?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly [key: string]: unknown;
}

export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly targets?: readonly DashboardTarget[];
  readonly panels?: readonly DashboardPanel[];
  readonly gridPos?: { readonly h: number; readonly w: number; readonly x: number; readonly y: number };
  readonly [key: string]: unknown;
}

export interface DashboardVariable {
  readonly name: string;
  readonly type: string;
  readonly query?: string | { readonly query: string };
  readonly [key: string]: unknown;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly panels: readonly DashboardPanel[];
  readonly templating: { readonly list: readonly DashboardVariable[] };
  readonly [key: string]: unknown;
}

/** Every dashboards/*.json, by file name. */
export function loadDashboards(): Map<string, Dashboard> {
  const dashboards = new Map<string, Dashboard>();
  for (const file of readdirSync(DASHBOARDS_DIR).filter((name) => name.endsWith('.json')).sort()) {
    dashboards.set(file, JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as Dashboard);
  }
  return dashboards;
}

/** Every panel, rows' nested panels included, in order. */
export function allPanels(dashboard: Dashboard): DashboardPanel[] {
  const panels: DashboardPanel[] = [];
  const walk = (list: readonly DashboardPanel[]) => {
    for (const panel of list) {
      panels.push(panel);
      if (panel.panels) walk(panel.panels);
    }
  };
  walk(dashboard.panels);
  return panels;
}

export interface PanelQuery {
  readonly panelId: number;
  readonly panelTitle: string;
  readonly refId: string;
  readonly expr: string;
}

/** Every PromQL expression of every panel of `dashboard`. */
export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  const queries: PanelQuery[] = [];
  for (const panel of allPanels(dashboard)) {
    for (const target of panel.targets ?? []) {
      if (typeof target.expr !== 'string') continue;
      queries.push({ panelId: panel.id, panelTitle: panel.title ?? '', refId: target.refId ?? '', expr: target.expr });
    }
  }
  return queries;
}

/** Grafana's built-in interval variables, as the e2e test's short-lived Prometheus can answer them. */
export const BUILT_IN_VARIABLES: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '5m',
  __range_s: '300',
  __range_ms: '300000',
  __interval_ms: '15000',
};

/**
 * Replaces Grafana variables in `expr` ($name, ${name}, ${name:format}, [[name]]): built-ins by
 * BUILT_IN_VARIABLES, the others by `values[name]`, else `.*` (what "All" sends with allValue .*).
 */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>> = {}): string {
  const lookup = (name: string) => BUILT_IN_VARIABLES[name] ?? values[name] ?? '.*';
  return expr
    .replace(/\$\{(\w+)(?::[^}]*)?\}/g, (_, name: string) => lookup(name))
    .replace(/\[\[(\w+)\]\]/g, (_, name: string) => lookup(name))
    .replace(/\$(\w+)/g, (_, name: string) => lookup(name));
}

/** A Grafana `label_values(selector, label)` variable query, split; undefined for other forms. */
export function parseLabelValues(query: string): { selector: string; label: string } | undefined {
  const match = /^\s*label_values\(\s*(.+?)\s*,\s*(\w+)\s*\)\s*$/.exec(query);
  return match ? { selector: match[1]!, label: match[2]! } : undefined;
}

/** The variable's query text, whichever shape (string or { query }) the JSON holds. */
export function variableQuery(variable: DashboardVariable): string | undefined {
  if (typeof variable.query === 'string') return variable.query;
  return variable.query?.query;
}

/**
 * Keeps only the families of a Prometheus text exposition whose name starts with `prefix`
 * (their # HELP/# TYPE lines and samples).
 */
export function familiesWithPrefix(text: string, prefix: string): string {
  let current = '';
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    const meta = /^# (?:HELP|TYPE) (\S+)/.exec(line);
    if (meta) current = meta[1]!;
    else if (line !== '' && !line.startsWith('#')) current = /^[^{ ]+/.exec(line)![0].startsWith(current) ? current : /^[^{ ]+/.exec(line)![0];
    if (current.startsWith(prefix)) kept.push(line);
  }
  return kept.length ? `${kept.join('\n')}\n` : '';
}
