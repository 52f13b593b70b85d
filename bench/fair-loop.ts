// Is the event loop fair under overload? The real server (`node dist/src/main.js`, the bundled
// pipeline shape: errors processor, prometheus and groups exporters, SQLite on a fresh data_dir)
// is sent large requests for a few seconds, and GET /health/live is probed every 25 ms from a
// worker thread (store-probe.ts) during the load and until the queue has drained. Issue 13's
// target: no probe over 250 ms. Loads:
//   overload   8 concurrent senders of 5,000-span protobuf requests (3.5 MB), back to back: the
//              queue fills and part of them get 503;
//   4MiB-pb    32 concurrent senders of ~4 MiB protobuf bodies (5,900 spans);
//   4MiB-json  32 concurrent senders of ~4 MiB OTLP/JSON bodies (3,000 spans).
// Reported: probes, the slowest and p99, probes over 250 ms, failed probes; requests answered 200
// and 503; the server's peak RSS (VmHWM).
//
// Standalone: node dist/bench/fair-loop.js [--seconds=5] [--load=overload,4MiB-pb,4MiB-json]
//   [--main=/path/to/dist/src/main.js]  (another build, e.g. main's, for a before/after)
// In `npm run bench` it is the `fairness` section (--quick: 2 s per load).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { fmt, percentile, table } from './measure.js';
import { spanRequest } from './payloads.js';
import { freePort, statusMiB, stopProcess } from './processes.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(HERE, '../src/main.js');
const PROBE_INTERVAL_MS = 25;
const TARGET_MS = 250;
const DRAIN_LIMIT_MS = 30_000;

export type FairLoad = 'overload' | '4MiB-pb' | '4MiB-json';
export const FAIR_LOADS: readonly FairLoad[] = ['overload', '4MiB-pb', '4MiB-json'];

const LOADS: Record<FairLoad, { spans: number; format: 'protobuf' | 'json'; concurrency: number }> = {
  overload: { spans: 5000, format: 'protobuf', concurrency: 8 },
  '4MiB-pb': { spans: 5900, format: 'protobuf', concurrency: 32 },
  '4MiB-json': { spans: 3000, format: 'json', concurrency: 32 },
};

export interface FairResult {
  readonly load: FairLoad;
  readonly bodyBytes: number;
  readonly seconds: number;
  readonly probes: number;
  readonly failedProbes: number;
  readonly maxMs: number;
  readonly p99Ms: number;
  readonly over250: number;
  readonly accepted: number;
  readonly overloaded: number;
  readonly otherStatus: number;
  readonly peakRssMiB: number;
  readonly drainMs: number;
}


async function queueItems(adminPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  return Number(/^faultline_pipeline_queue_items (\S+)$/m.exec(text)?.[1] ?? NaN);
}

function send(agent: http.Agent, port: number, body: Buffer, format: 'protobuf' | 'json'): Promise<number> {
  return new Promise((resolve) => {
    const request = http.request(
      { host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', agent, headers: { 'content-type': format === 'json' ? 'application/json' : 'application/x-protobuf' } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', () => resolve(0));
    request.end(body);
  });
}

/** One load against a fresh server; `main` is the server build to run. */
export async function measureFairness(load: FairLoad, seconds: number, main = MAIN): Promise<FairResult> {
  const shape = LOADS[load];
  const body = spanRequest(shape.spans, shape.format);
  const [httpPort, adminPort] = [await freePort(), await freePort()];
  const directory = mkdtempSync(path.join(os.tmpdir(), 'faultline-fair-loop-'));
  const configPath = path.join(directory, 'otel-config.yaml');
  writeFileSync(
    configPath,
    `receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${httpPort} }
processors:
  errors: {}
exporters:
  prometheus: {}
  groups: {}
extensions:
  health_check: {}
service:
  extensions: [health_check]
  data_dir: ${JSON.stringify(path.join(directory, 'data'))}
  pipelines:
    traces: { receivers: [otlp], processors: [errors], exporters: [prometheus, groups] }
  telemetry:
    logs: { level: warn }
    metrics: { address: 127.0.0.1:${adminPort} }
`,
  );
  // FAULTLINE_BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server.
  const nodeArgs = (process.env.FAULTLINE_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, main, '--config', configPath], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let attempt = 0; ; attempt++) {
      const ready = await fetch(`http://127.0.0.1:${adminPort}/health/ready`).then((r) => r.status === 200, () => false);
      if (ready) break;
      if (attempt >= 200) throw new Error('Faultline did not become ready in 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const worker = new Worker(new URL('./store-probe.js', import.meta.url), {
      workerData: { url: `http://127.0.0.1:${adminPort}/health/live`, intervalMs: PROBE_INTERVAL_MS, timeoutMs: 10_000 },
    });
    const probesDone = new Promise<[number, number, number][]>((resolve) => worker.once('message', resolve));
    const agent = new http.Agent({ keepAlive: true, maxSockets: shape.concurrency });
    const statuses = new Map<number, number>();
    const deadline = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: shape.concurrency }, async () => {
        while (Date.now() < deadline) {
          const status = await send(agent, httpPort, body, shape.format);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    agent.destroy();
    const drainStarted = Date.now();
    while (Date.now() - drainStarted < DRAIN_LIMIT_MS && (await queueItems(adminPort)) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    const drainMs = Date.now() - drainStarted;
    worker.postMessage('stop');
    const probes = await probesDone;
    await worker.terminate();
    const latencies = probes.map(([, latency]) => latency).sort((a, b) => a - b);
    const otherStatus = [...statuses].filter(([status]) => status !== 200 && status !== 503).reduce((sum, [, n]) => sum + n, 0);
    return {
      load,
      bodyBytes: body.length,
      seconds,
      probes: probes.length,
      failedProbes: probes.filter(([, , status]) => status !== 200).length,
      maxMs: latencies.at(-1) ?? NaN,
      p99Ms: percentile(latencies, 99),
      over250: latencies.filter((latency) => latency > TARGET_MS).length,
      accepted: statuses.get(200) ?? 0,
      overloaded: statuses.get(503) ?? 0,
      otherStatus,
      peakRssMiB: statusMiB(child.pid!, 'VmHWM'),
      drainMs,
    };
  } finally {
    await stopProcess(child);
    rmSync(directory, { recursive: true, force: true });
  }
}

export function fairnessTable(results: readonly FairResult[]): string {
  return table(
    ['load', 'body MB', 's', 'probes', 'failed', 'max ms', 'p99 ms', `>${TARGET_MS} ms`, '200', '503', 'other', 'peak RSS MiB', 'drain ms'],
    results.map((r) => [
      r.load,
      fmt(r.bodyBytes / 1e6),
      String(r.seconds),
      String(r.probes),
      String(r.failedProbes),
      fmt(r.maxMs),
      fmt(r.p99Ms),
      String(r.over250),
      String(r.accepted),
      String(r.overloaded),
      String(r.otherStatus),
      fmt(r.peakRssMiB),
      String(r.drainMs),
    ]),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const seconds = Number(value('seconds') ?? 5);
  const loads = (value('load')?.split(',') ?? FAIR_LOADS) as FairLoad[];
  const main = value('main') ?? MAIN;
  const results: FairResult[] = [];
  for (const load of loads) results.push(await measureFairness(load, seconds, main));
  process.stdout.write(`fair loop (${main}), load average ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}\n${fairnessTable(results)}\n`);
}
