// The error-group store under load, through the real server: `node dist/src/main.js --config`
// with an OTLP/HTTP receiver, the admin endpoint (health_check) and a groups exporter on a fresh
// data_dir. The bench sends G groups × S samples (store-payloads.ts) and measures, whatever the
// store is (today one JSON file rewritten every flush_interval; later `service.storage`):
//   ingest    events/s from the first request until the groups API reports G groups and the
//             groups exporter's event counter G × S;
//   memory    the server's peak RSS (VmHWM) and its RSS after load (VmRSS);
//   stalls    GET /health/live every 20 ms from a worker thread during load and `afterMs` beyond
//             it (two flush intervals at the default 5 s): max and p99 latency, probes over 1 s;
//   query     GET /api/v1/groups?sort=count&limit=50 at full size;
//   restart   SIGTERM (time to exit), start again on the same data_dir, time until /health/ready
//             answers 200 and the groups API reports G groups; then (untimed, 60 s at most) the
//             sum of the groups' counts, which is G × S unless events were lost on the way;
//   disk      bytes under data_dir (every file, whatever the store writes).
// A server that dies (out of memory, a crash) or a phase that passes its timeout ends that run
// with what it reached and why ('server exited: signal SIGABRT'); the bench itself goes on.
//
// Standalone: node dist/bench/store.js [--groups=10000[,12000…]] [--samples=5] [--per-request=100]
//   [--concurrency=4] [--timeout=180] [--after=12] [--storage='<YAML flow map>'] [--keep]
//   [--baseline]  (first the same load on a server without the groups exporter, per size)
// In `npm run bench` it is the `store` section (G=10,000, S=5; --quick: 1,000 groups).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { pinSelf } from './end-to-end.js';
import { fmt, percentile, table } from './measure.js';
import { createStoreLoad } from './store-payloads.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(HERE, '../src/main.js');
const PROBE_INTERVAL_MS = 20;
const POLL_INTERVAL_MS = 250;

export interface StoreOptions {
  readonly groups: number;
  readonly samples: number;
  readonly perRequest?: number;
  readonly concurrency?: number;
  /** From the first request until the store holds everything; then the run ends as timed out. */
  readonly loadTimeoutMs?: number;
  /** Probing goes on this long after the load is in (default 12 s: two flushes at the default 5 s). */
  readonly afterMs?: number;
  /** Restart to ready and full, at most. */
  readonly restartTimeoutMs?: number;
  /** The server's core (taskset), when the bench pinned itself to another one. */
  readonly serverCore?: number;
  /** A YAML flow map written as `service.storage` (for the store that replaces groups.json). */
  readonly storage?: string;
  /**
   * false: the same server and load without the groups exporter (the baseline: what decoding,
   * scrub, group and identity cost; events are counted by faultline_errors_total). Default true.
   */
  readonly withStore?: boolean;
  /** Keep data_dir afterwards (its path is in the result). */
  readonly keep?: boolean;
  readonly log?: (line: string) => void;
}

export interface ProbeSummary {
  readonly probes: number;
  readonly maxMs: number;
  readonly p99Ms: number;
  readonly over1s: number;
  readonly maxDuringLoadMs: number;
  readonly maxAfterLoadMs: number;
  /** Probes that got no 200 (timed out, refused, or the server went away). */
  readonly failed: number;
}

export interface StoreResult {
  /** False for the baseline run without the groups exporter. */
  readonly withStore: boolean;
  readonly groups: number;
  readonly samples: number;
  readonly events: number;
  readonly requests: number;
  /** Requests answered 200 (the rest were not sent before the run ended, or failed). */
  readonly requestsAccepted: number;
  /** Events in the requests answered 200. */
  readonly eventsAccepted: number;
  readonly averageRequestBytes: number;
  /** 'ok', or what ended the run early: 'server exited: …', 'timed out after … s: …'. */
  readonly outcome: string;
  /** Spawn → 'Faultline started' on the empty data_dir: the floor under the restart figure. */
  readonly firstStartSeconds: number;
  readonly sendSeconds: number;
  /** First request → the store reports G groups and G × S events. */
  readonly ingestSeconds: number;
  readonly eventsPerSecond: number;
  /** The server's CPU (user + system) from the first request until everything was in the store. */
  readonly serverCpuSeconds: number;
  readonly serverCpuMsPerEvent: number;
  readonly groupsSeen: number;
  readonly eventsSeen: number;
  /** Requests answered 503/429 and sent again (after Retry-After). */
  readonly retriedRequests: number;
  readonly failedRequests: number;
  readonly peakRssMiB: number;
  readonly rssAfterLoadMiB: number;
  readonly probe: ProbeSummary;
  readonly queryMs: { readonly first: number; readonly median: number; readonly status: number };
  /** faultline_error_groups_persist_errors_total after load (today: failed groups.json writes). */
  readonly persistErrors: number;
  /** Distinct warn- and error-level log messages of the server (with the error's message). */
  readonly serverErrors: readonly string[];
  readonly stopSeconds: number;
  readonly restart: {
    readonly outcome: string;
    readonly readySeconds: number;
    /** Spawn → ready and the groups API reports G groups. */
    readonly fullSeconds: number;
    readonly groups: number;
    /** The sum of the groups' counts after the restart (untimed; G × S when nothing was lost). */
    readonly events: number;
    readonly rssMiB: number;
  };
  readonly diskBytes: number;
  readonly diskFiles: Readonly<Record<string, number>>;
  readonly dataDir: string;
}

// --- the server process ----------------------------------------------------------------------

interface StoreServer {
  readonly pid: number;
  readonly spawnedAt: number;
  /** Resolves with the admin and OTLP/HTTP ports at 'Faultline started', rejects if it exits first. */
  readonly started: Promise<{ admin: number; http: number }>;
  /** Resolves with 'code N' or 'signal S' when the process exits. */
  readonly exited: Promise<string>;
  exit: string | undefined;
  readonly errors: Set<string>;
  stderrTail(): string;
  status(field: 'VmHWM' | 'VmRSS'): number;
  cpuSeconds(): number;
  stop(timeoutMs: number): Promise<number>;
}

function spawnServer(configPath: string, core: number | undefined): StoreServer {
  const nodeArgs = (process.env.FAULTLINE_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const argv = [process.execPath, ...nodeArgs, MAIN, '--config', configPath];
  const spawnedAt = performance.now();
  const child: ChildProcess =
    core === undefined ? spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('taskset', ['-c', String(core), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  const errors = new Set<string>();
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const server: StoreServer = {
    pid: child.pid!,
    spawnedAt,
    exit: undefined,
    errors,
    started: undefined as unknown as Promise<{ admin: number; http: number }>,
    exited: new Promise<string>((resolve) =>
      child.on('exit', (code, signal) => {
        server.exit = signal !== null ? `signal ${signal}` : `code ${code}`;
        resolve(server.exit);
      }),
    ),
    stderrTail: () => stderr,
    status: (field) => readStatusMiB(child.pid!, field),
    cpuSeconds: () => readCpuSeconds(child.pid!),
    stop: async (timeoutMs) => {
      const start = performance.now();
      if (server.exit !== undefined) return 0;
      child.kill('SIGTERM');
      const killed = await Promise.race([server.exited.then(() => false), timer(timeoutMs).then(() => true)]);
      if (killed) {
        child.kill('SIGKILL');
        await server.exited;
      }
      return (performance.now() - start) / 1000;
    },
  };
  (server as { started: Promise<{ admin: number; http: number }> }).started = new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const text = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let line: { level?: string; msg?: string; err?: { message?: string }; addresses?: Record<string, { port: number }> };
        try {
          line = JSON.parse(text);
        } catch {
          continue;
        }
        if (line.msg === 'Faultline started' && line.addresses) resolve({ admin: line.addresses.admin!.port, http: line.addresses['otlp.http']!.port });
        if (WARN_LEVELS.has(line.level ?? '') && errors.size < 20) errors.add(`${line.msg}${line.err?.message ? `: ${line.err.message}` : ''}`);
      }
    });
    void server.exited.then((exit) => reject(new Error(`server exited: ${exit}`)));
  });
  server.started.catch(() => undefined);
  return server;
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** utime + stime of a process, seconds (NaN once it is gone). */
function readCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** Faultline logs level labels (src/internal/logger.ts). */
const WARN_LEVELS = new Set(['warn', 'error', 'fatal']);

function readStatusMiB(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function writeConfig(directory: string, dataDir: string, options: StoreOptions): string {
  const file = path.join(directory, 'otel-config.yaml');
  const exporters = options.withStore === false ? 'prometheus' : 'prometheus, groups';
  writeFileSync(
    file,
    `receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  identity: { settle_time: 100ms }
exporters:
  prometheus: {}
${options.withStore === false ? '' : `  groups: { max_groups: ${Math.max(10_000, options.groups)} }\n`}extensions:
  health_check: {}
service:
  extensions: [health_check]
  pipelines:
    traces: { receivers: [otlp], processors: [identity], exporters: [${exporters}] }
    logs: { receivers: [otlp], processors: [identity], exporters: [${exporters}] }
  data_dir: ${dataDir}
${options.storage ? `  storage: ${options.storage}\n` : ''}  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`,
  );
  return file;
}

// --- small HTTP helpers ----------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** For races only: does not keep the bench alive once the other side settled. */
const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** `promise`, or a rejection with `message` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let handle: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => (handle = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, expired]).finally(() => clearTimeout(handle));
}

function get(port: number, requestPath: string, timeoutMs = 30_000): Promise<{ status: number; body: string; ms: number }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: requestPath, timeout: timeoutMs, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - start }));
      response.on('error', () => resolve({ status: 0, body: '', ms: performance.now() - start }));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve({ status: 0, body: '', ms: performance.now() - start }));
  });
}

/** Groups the groups API reports (its `total`), or -1 when it does not answer. */
async function groupsTotal(adminPort: number, timeoutMs = 30_000): Promise<number> {
  const reply = await get(adminPort, '/api/v1/groups?limit=1', timeoutMs);
  if (reply.status !== 200) return -1;
  try {
    return Number((JSON.parse(reply.body) as { total: number }).total);
  } catch {
    return -1;
  }
}

/** The sum of every group's count, paging through the groups API; NaN if a page does not come or it takes over `budgetMs`. */
async function eventsInGroups(adminPort: number, groups: number, budgetMs = 60_000): Promise<number> {
  const end = performance.now() + budgetMs;
  let sum = 0;
  let offset: number | null = 0;
  for (let page = 0; offset !== null && page <= groups / 500 + 2; page++) {
    const left = end - performance.now();
    if (left <= 0) return NaN;
    const reply = await get(adminPort, `/api/v1/groups?sort=count&limit=500&offset=${offset}`, Math.max(1000, Math.min(30_000, left)));
    if (reply.status !== 200) return NaN;
    const body = JSON.parse(reply.body) as { groups: { count: number }[]; next_offset: number | null };
    for (const group of body.groups) sum += group.count;
    offset = body.next_offset;
  }
  return sum;
}

/** Sum of every sample of `name` in Prometheus text, or undefined when there is none. */
function sumMetric(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

/** Events filed into the store: the groups exporter's per-group counter (overflow included), else every error counted. */
async function storeCounts(adminPort: number, withStore: boolean, timeoutMs = 30_000): Promise<{ events: number; persistErrors: number }> {
  const reply = await get(adminPort, '/metrics', timeoutMs);
  if (reply.status !== 200) return { events: -1, persistErrors: NaN };
  return {
    events: (withStore ? sumMetric(reply.body, 'faultline_error_group_events_total') : undefined) ?? sumMetric(reply.body, 'faultline_errors_total') ?? 0,
    persistErrors: sumMetric(reply.body, 'faultline_error_groups_persist_errors_total') ?? NaN,
  };
}

function diskUsage(directory: string): { bytes: number; files: Record<string, number> } {
  const files: Record<string, number> = {};
  let bytes = 0;
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const size = statSync(full).size;
        files[path.relative(directory, full)] = size;
        bytes += size;
      }
    }
  };
  try {
    walk(directory);
  } catch {
    // data_dir gone or unreadable: report what was seen.
  }
  return { bytes, files };
}

// --- the probe -------------------------------------------------------------------------------

function startProbe(adminPort: number): { stop(): Promise<[number, number, number][]> } {
  const worker = new Worker(new URL('./store-probe.js', import.meta.url), {
    workerData: { url: `http://127.0.0.1:${adminPort}/health/live`, intervalMs: PROBE_INTERVAL_MS, timeoutMs: 30_000 },
  });
  const done = new Promise<[number, number, number][]>((resolve) => {
    worker.once('message', (probes: [number, number, number][]) => resolve(probes));
    worker.once('error', () => resolve([]));
    worker.once('exit', () => resolve([]));
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      // A probe waits at most its 30 s timeout; then the worker answers.
      const probes = await Promise.race([done, timer(35_000).then(() => [] as [number, number, number][])]);
      await worker.terminate();
      return probes;
    },
  };
}

function summariseProbes(probes: readonly [number, number, number][], loadEndEpochMs: number): ProbeSummary {
  const latencies = probes.map((p) => p[1]).sort((a, b) => a - b);
  // A probe belongs to the load if it started before the load was in.
  const during = probes.filter((p) => p[0] < loadEndEpochMs).map((p) => p[1]);
  const after = probes.filter((p) => p[0] >= loadEndEpochMs).map((p) => p[1]);
  return {
    probes: probes.length,
    maxMs: latencies.length ? latencies[latencies.length - 1]! : NaN,
    p99Ms: percentile(latencies, 99),
    over1s: latencies.filter((ms) => ms > 1000).length,
    maxDuringLoadMs: during.length ? Math.max(...during) : NaN,
    maxAfterLoadMs: after.length ? Math.max(...after) : NaN,
    failed: probes.filter((p) => p[2] !== 200).length,
  };
}

// --- the run ---------------------------------------------------------------------------------

export async function measureStore(options: StoreOptions): Promise<StoreResult> {
  const log = options.log ?? (() => undefined);
  const { groups, samples } = options;
  const withStore = options.withStore !== false;
  const concurrency = options.concurrency ?? 4;
  const loadTimeoutMs = options.loadTimeoutMs ?? 180_000;
  const afterMs = options.afterMs ?? 12_000;
  const restartTimeoutMs = options.restartTimeoutMs ?? 120_000;
  const load = createStoreLoad({ groups, samples, perRequest: options.perRequest ?? 100 });
  const events = groups * samples;
  const directory = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-store-'));
  const dataDir = path.join(directory, 'data');
  const configPath = writeConfig(directory, dataDir, options);

  let outcome = 'ok';
  let firstStartSeconds = NaN;
  let sendSeconds = NaN;
  let serverCpuSeconds = NaN;
  let ingestSeconds = NaN;
  let groupsSeen = 0;
  let eventsSeen = 0;
  let retried = 0;
  let failed = 0;
  let bytesSent = 0;
  let requestsSent = 0;
  let eventsAccepted = 0;
  let persistErrors = NaN;
  let peakRssMiB = NaN;
  let rssAfterLoadMiB = NaN;
  let probe: ProbeSummary = summariseProbes([], 0);
  let queryMs = { first: NaN, median: NaN, status: 0 };
  let stopSeconds = NaN;
  let restart = { outcome: 'not run', readySeconds: NaN, fullSeconds: NaN, groups: 0, events: NaN, rssMiB: NaN };

  const server = spawnServer(configPath, options.serverCore);
  let ports: { admin: number; http: number };
  try {
    ports = await within(server.started, 30_000, 'did not start within 30 s');
    firstStartSeconds = (performance.now() - server.spawnedAt) / 1000;
  } catch (error) {
    await server.stop(5_000);
    rmSync(directory, { recursive: true, force: true });
    throw new Error(`Faultline ${(error as Error).message}\n${server.stderrTail()}`);
  }
  const prober = startProbe(ports.admin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const died = () => server.exit !== undefined;
  const cpuBefore = server.cpuSeconds();
  const start = performance.now();
  const deadline = start + loadTimeoutMs;
  let loadEndEpochMs = Infinity;
  let rssTimer: NodeJS.Timeout | undefined;
  try {
    // Send: `concurrency` workers, each request sent again after a 503/429 (Retry-After, at most 1 s).
    const send = (body: Buffer): Promise<{ status: number; retryAfterMs: number }> =>
      new Promise((resolve) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port: ports.http,
            method: 'POST',
            path: '/v1/traces',
            agent,
            // Idle socket timeout: no request outlives the load's deadline by more than a second.
            timeout: Math.max(1000, Math.min(60_000, deadline - performance.now())),
            headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
          },
          (response) => {
            response.resume();
            response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfterMs: Number(response.headers['retry-after'] ?? 0) * 1000 }));
          },
        );
        request.on('timeout', () => request.destroy());
        request.on('error', () => resolve({ status: 0, retryAfterMs: 200 }));
        request.end(body);
      });
    let next = 0;
    const worker = async () => {
      while (next < load.requests && !died() && performance.now() < deadline) {
        const index = next++;
        const body = load.body(index);
        for (let attempt = 0; attempt < 100 && !died() && performance.now() < deadline; attempt++) {
          const reply = await send(body);
          if (reply.status === 200) {
            bytesSent += body.length;
            requestsSent++;
            eventsAccepted += Math.min(load.perRequest, events - index * load.perRequest);
            break;
          }
          if (reply.status !== 503 && reply.status !== 429 && reply.status !== 0) {
            failed++;
            break;
          }
          retried++;
          await sleep(Math.min(1000, Math.max(50, reply.retryAfterMs)));
        }
      }
    };
    log(`store: sending ${count(events)} events (${count(groups)} groups × ${samples}) in ${count(load.requests)} requests, ${concurrency} in flight`);
    let lastRssLog = performance.now();
    rssTimer = setInterval(() => {
      if (performance.now() - lastRssLog < 10_000) return;
      lastRssLog = performance.now();
      log(`  … ${count(requestsSent)}/${count(load.requests)} requests after ${((performance.now() - start) / 1000).toFixed(0)} s, server RSS ${fmt(server.status('VmRSS'))} MiB`);
    }, 1000);
    await Promise.all(Array.from({ length: concurrency }, worker));
    sendSeconds = (performance.now() - start) / 1000;

    // Wait until the store holds it all.
    while (!died() && performance.now() < deadline) {
      groupsSeen = withStore ? Math.max(groupsSeen, await groupsTotal(ports.admin)) : groups;
      if (groupsSeen >= groups) {
        const counts = await storeCounts(ports.admin, withStore);
        eventsSeen = Math.max(eventsSeen, counts.events);
        persistErrors = counts.persistErrors;
        if (eventsSeen >= events) {
          ingestSeconds = (performance.now() - start) / 1000;
          serverCpuSeconds = server.cpuSeconds() - cpuBefore;
          break;
        }
      }
      await sleep(POLL_INTERVAL_MS);
    }
    loadEndEpochMs = performance.timeOrigin + performance.now();
    if (!died() && !Number.isFinite(ingestSeconds)) {
      // Timed out: one more look at what the store holds (10 s at most for each answer; -1: none).
      if (withStore) groupsSeen = await groupsTotal(ports.admin, 10_000);
      eventsSeen = (await storeCounts(ports.admin, withStore, 10_000)).events;
    }
    const seen = (value: number) => (value < 0 ? 'no answer in 10 s' : count(value));
    if (died()) outcome = `server exited: ${server.exit}`;
    else if (!Number.isFinite(ingestSeconds))
      outcome = `timed out after ${loadTimeoutMs / 1000} s: ${count(requestsSent)} of ${count(load.requests)} requests accepted; groups in the store: ${seen(groupsSeen)}, events: ${seen(eventsSeen)}`;
    log(`  load: ${outcome === 'ok' ? `${count(events)} events in the store after ${ingestSeconds.toFixed(1)} s` : outcome}`);

    // After the load: keep probing across flushes.
    const afterEnd = performance.now() + afterMs;
    while (!died() && performance.now() < afterEnd) await sleep(100);
    if (died() && outcome === 'ok') outcome = `server exited after the load: ${server.exit}`;
    peakRssMiB = server.status('VmHWM');
    rssAfterLoadMiB = server.status('VmRSS');
  } finally {
    clearInterval(rssTimer);
    agent.destroy();
    probe = summariseProbes(await prober.stop(), loadEndEpochMs);
  }

  if (!died() && withStore) {
    const counts = await storeCounts(ports.admin, withStore);
    persistErrors = counts.persistErrors;
    const timings: number[] = [];
    // One query only when the run ended early: the server may answer each slowly.
    for (let i = 0; i < (outcome === 'ok' ? 5 : 1); i++) {
      const reply = await get(ports.admin, '/api/v1/groups?sort=count&limit=50');
      if (i === 0) queryMs = { ...queryMs, first: reply.ms, status: reply.status };
      timings.push(reply.ms);
    }
    queryMs = { ...queryMs, median: percentile(timings.sort((a, b) => a - b), 50) };
  }
  stopSeconds = died() ? NaN : await server.stop(restartTimeoutMs);
  const stoppedWith = server.exit;
  const serverErrors = [...server.errors];
  const stderr = server.stderrTail();
  if (outcome !== 'ok' && stderr) {
    const fatal = stderr.split('\n').find((line) => /FATAL|RangeError|Error:/.test(line));
    if (fatal) outcome += ` (${fatal.trim().slice(0, 120)})`;
  }
  const disk = diskUsage(dataDir);

  // Restart on the same data_dir, if the server lived to stop (a run that timed out too: what
  // the store kept is the question then).
  if (withStore && stoppedWith === 'code 0') {
    const again = spawnServer(configPath, options.serverCore);
    const restartDeadline = again.spawnedAt + restartTimeoutMs;
    let readyAt = NaN;
    let fullAt = NaN;
    let restartGroups = 0;
    try {
      const restartPorts = await within(again.started, restartTimeoutMs, 'did not start in time');
      while (again.exit === undefined && performance.now() < restartDeadline) {
        if (!Number.isFinite(readyAt) && (await get(restartPorts.admin, '/health/ready', 5_000)).status === 200) readyAt = performance.now();
        if (Number.isFinite(readyAt)) {
          restartGroups = Math.max(restartGroups, await groupsTotal(restartPorts.admin));
          if (restartGroups >= groups) {
            fullAt = performance.now();
            break;
          }
          // Ready but short of G groups for 10 s: the store did not keep them all.
          if (performance.now() - readyAt > 10_000) break;
        }
        await sleep(20);
      }
      const rssMiB = again.status('VmRSS');
      const kept = again.exit === undefined && Number.isFinite(readyAt) ? await eventsInGroups(restartPorts.admin, groups) : NaN;
      restart = {
        outcome: again.exit !== undefined ? `server exited: ${again.exit}` : Number.isFinite(fullAt) ? 'ok' : Number.isFinite(readyAt) ? `ready with ${count(restartGroups)} of ${count(groups)} groups` : 'not ready in time',
        readySeconds: (readyAt - again.spawnedAt) / 1000,
        fullSeconds: (fullAt - again.spawnedAt) / 1000,
        groups: restartGroups,
        events: kept,
        rssMiB,
      };
    } catch (error) {
      restart = { ...restart, outcome: (error as Error).message };
    } finally {
      await again.stop(60_000);
      for (const message of again.errors) if (serverErrors.length < 20 && !serverErrors.includes(message)) serverErrors.push(`restart: ${message}`);
    }
  }
  if (!options.keep) rmSync(directory, { recursive: true, force: true });
  log(`  stopped with ${stoppedWith ?? '?'}; restart: ${restart.outcome}`);

  return {
    withStore,
    groups,
    samples,
    events,
    requests: load.requests,
    requestsAccepted: requestsSent,
    eventsAccepted,
    averageRequestBytes: requestsSent > 0 ? bytesSent / requestsSent : NaN,
    outcome,
    firstStartSeconds,
    sendSeconds,
    ingestSeconds,
    eventsPerSecond: events / ingestSeconds,
    serverCpuSeconds,
    serverCpuMsPerEvent: (serverCpuSeconds / events) * 1000,
    groupsSeen,
    eventsSeen,
    retriedRequests: retried,
    failedRequests: failed,
    peakRssMiB,
    rssAfterLoadMiB,
    probe,
    queryMs,
    persistErrors,
    serverErrors,
    stopSeconds,
    restart,
    diskBytes: disk.bytes,
    diskFiles: disk.files,
    dataDir: options.keep ? dataDir : '',
  };
}

// --- the report ------------------------------------------------------------------------------

/** The new store's goals (at 100,000 groups); shown against every run. */
export const STORE_TARGETS = [
  { name: 'events/s into the store', goal: '≥ 3000', value: (r: StoreResult) => r.eventsPerSecond, met: (v: number) => v >= 3000 },
  { name: 'peak RSS MiB', goal: '≤ 400', value: (r: StoreResult) => r.peakRssMiB, met: (v: number) => v <= 400 },
  { name: 'longest /health/live probe ms', goal: '≤ 50', value: (r: StoreResult) => r.probe.maxMs, met: (v: number) => v <= 50 },
  { name: 'restart to ready and full, s', goal: '≤ 2', value: (r: StoreResult) => r.restart.fullSeconds, met: (v: number) => v <= 2 },
] as const;

const MiB = 1024 * 1024;
/** Whole numbers with thousands separators (12,000), '—' when unknown. */
const count = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');

export function storeTable(results: readonly StoreResult[]): string {
  const column = (r: StoreResult) => `${count(r.groups)} × ${r.samples}${r.withStore ? '' : ', no store'}`;
  const rows: [string, (r: StoreResult) => string][] = [
    ['outcome', (r) => (r.outcome === 'ok' ? 'ok' : r.outcome.replace(/:.*/, ''))],
    ['events/s into the store', (r) => fmt(r.eventsPerSecond)],
    ['  send s / in the store s', (r) => `${fmt(r.sendSeconds)} / ${fmt(r.ingestSeconds)}`],
    ['  server CPU ms per event', (r) => fmt(r.serverCpuMsPerEvent)],
    ['  server CPU, share of its core', (r) => (Number.isFinite(r.serverCpuSeconds) ? `${((r.serverCpuSeconds / r.ingestSeconds) * 100).toFixed(0)}%` : '—')],
    ['  requests accepted / of', (r) => `${count(r.requestsAccepted)} / ${count(r.requests)}`],
    ['  requests retried (503) / failed', (r) => `${r.retriedRequests} / ${r.failedRequests}`],
    ['peak RSS MiB (VmHWM)', (r) => fmt(r.peakRssMiB)],
    ['RSS MiB after load', (r) => fmt(r.rssAfterLoadMiB)],
    ['longest /health/live probe ms', (r) => fmt(r.probe.maxMs)],
    ['  during load / after (flushes)', (r) => `${fmt(r.probe.maxDuringLoadMs)} / ${fmt(r.probe.maxAfterLoadMs)}`],
    ['  p99 probe ms', (r) => fmt(r.probe.p99Ms)],
    ['  probes over 1 s / unanswered / of', (r) => `${r.probe.over1s} / ${r.probe.failed} / ${count(r.probe.probes)}`],
    ['GET groups?sort=count&limit=50 ms', (r) => `${fmt(r.queryMs.first)} (median ${fmt(r.queryMs.median)})`],
    ['persist errors after load', (r) => count(r.persistErrors)],
    ['SIGTERM to exit s', (r) => fmt(r.stopSeconds)],
    ['start on the empty data_dir s', (r) => fmt(r.firstStartSeconds)],
    ['restart to ready s', (r) => fmt(r.restart.readySeconds)],
    ['restart to ready and full s', (r) => (r.restart.outcome === 'ok' ? fmt(r.restart.fullSeconds) : r.restart.outcome.slice(0, 40))],
    ['events kept across the restart', (r) => (r.restart.outcome === 'not run' ? '—' : `${count(r.restart.events)} of ${count(r.eventsAccepted)}`)],
    ['RSS MiB after restart', (r) => fmt(r.restart.rssMiB)],
    ['data_dir MiB', (r) => fmt(r.diskBytes / MiB)],
    ['bytes per request (average)', (r) => fmt(r.averageRequestBytes)],
  ];
  const lines = [table(['figure', ...results.map(column)], rows.map(([name, value]) => [name, ...results.map(value)]))];
  lines.push('', 'targets of the new store (issue: at 100,000 groups), per run');
  lines.push(
    table(
      ['target', 'goal', ...results.flatMap((r) => [column(r), '÷ goal', ''])],
      STORE_TARGETS.map((t) => [
        t.name,
        t.goal,
        ...results.flatMap((r) => {
          const value = t.value(r);
          const goal = Number(t.goal.replace(/[^\d.]/g, ''));
          return Number.isFinite(value) ? [fmt(value), `${(value / goal).toFixed(2)}×`, t.met(value) ? 'met' : 'MISSED'] : ['—', '', 'not reached'];
        }),
      ]),
    ),
  );
  const outcomes = results.filter((r) => r.outcome !== 'ok').map((r) => `  ${column(r)}: ${r.outcome}`);
  if (outcomes.length > 0) lines.push('', 'runs that ended early', ...outcomes);
  const errors = results.flatMap((r) => r.serverErrors.map((e) => `  ${column(r)}: ${e.slice(0, 200)}`));
  if (errors.length > 0) lines.push('', 'server warnings and errors (log lines)', ...errors);
  return lines.join('\n');
}

// --- standalone ------------------------------------------------------------------------------

function argument(name: string): string | undefined {
  const found = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return found?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const startedAt = Date.now();
  const sizes = (argument('groups') ?? '10000').split(',').map(Number);
  const samples = Number(argument('samples') ?? 5);
  const pinned = os.cpus().length >= 2 && pinSelf(1);
  log(`faultline store bench — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; ${pinned ? 'bench on core 1, server on core 0' : 'not pinned'}`);
  const results: StoreResult[] = [];
  const baseline = process.argv.includes('--baseline');
  for (const groups of sizes) {
    for (const withStore of baseline ? [false, true] : [true]) results.push(
      await measureStore({
        groups,
        samples,
        perRequest: Number(argument('per-request') ?? 100),
        concurrency: Number(argument('concurrency') ?? 4),
        loadTimeoutMs: Number(argument('timeout') ?? 180) * 1000,
        afterMs: Number(argument('after') ?? 12) * 1000,
        serverCore: pinned ? 0 : undefined,
        storage: argument('storage'),
        withStore,
        keep: process.argv.includes('--keep'),
        log,
      }),
    );
  }
  log(`\nerror-group store through the server (${samples} samples per group, 4–8 KiB stack traces, OTLP/HTTP protobuf)`);
  log(storeTable(results));
  const directory = path.resolve(HERE, '../../bench/results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${new Date().toISOString().replace(/[:.]/g, '-')}-store-${sizes.join('-')}.json`);
  writeFileSync(file, `${JSON.stringify({ startedAt: new Date(startedAt).toISOString(), node: process.version, cpus: os.cpus().map((c) => c.model), pinned, store: results }, null, 2)}\n`);
  log(`\nwrote ${path.relative(process.cwd(), file)} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
