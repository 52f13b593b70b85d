// `npm run bench [-- --quick] [-- --skip=e2e,scrape,inprocess,store,store-engine,fairness,connections]`: builds the seeded payloads, runs
// every measurement in one process on the same bytes, prints the tables and the target ratios,
// and writes the JSON to bench/results/. See bench/README.md for how to read it.

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureBareHttp, measureCardinalityRss, measureEndToEnd, pinSelf, type EndToEndResult, type Transport } from './end-to-end.js';
import { measureInProcess, type Contender, type InProcessResult } from './in-process.js';
import { fmt, table } from './measure.js';
import { averageBytes, buildPayload, SCENARIOS, type Compression, type Format, type Payload, type ScenarioId } from './payloads.js';
import { measureScrape, type ScrapeResult } from './scrape.js';
import { measureStore, storeTable, type StoreResult } from './store.js';
import { engineTable, engineTargetsOf, measureEngine, type EngineResult } from './store-engine.js';
import { startPostgres, type PostgresServer } from '../test/helpers/postgres.js';
import { CONNECTION_KINDS, connectionsTable, measureConnections, type ConnectionResult } from './connections.js';
import { FAIR_LOADS, fairnessTable, measureFairness, type FairResult } from './fair-loop.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const skip = new Set((args.find((arg) => arg.startsWith('--skip='))?.slice(7) ?? '').split(',').filter(Boolean));
const only = args.find((arg) => arg.startsWith('--scenario='))?.slice(11);

const SERVER_CORE = 0;
const SENDER_CORE = 1;
const SLICE_MS = quick ? 50 : 250;
const SLICES = quick ? 3 : 5;
const E2E_MS = quick ? 1000 : 3000;
const CONCURRENCY = 8;

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const startedAt = Date.now();
  const pinned = os.cpus().length >= 2 && pinSelf(SENDER_CORE);
  log(`faultline bench ${quick ? '(quick) ' : ''}— node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; ${pinned ? `bench on core ${SENDER_CORE}, server on core ${SERVER_CORE}` : 'not pinned (taskset missing or one core)'}`);

  const payloads = new Map<ScenarioId, Payload>();
  for (const scenario of SCENARIOS) {
    if (only && scenario !== only && scenario !== 'C1') continue;
    payloads.set(scenario, buildPayload(scenario, scenario === 'C1' ? 20 : quick ? 2 : 4));
  }
  log(`\npayloads (average bytes per request, built in ${Date.now() - startedAt} ms)`);
  log(
    table(
      ['scenario', 'items/req', 'protobuf', 'protobuf+gzip', 'json', 'json+gzip'],
      [...payloads.values()].map((p) => [
        p.scenario,
        String(p.items),
        fmt(averageBytes(p.bodies.protobuf.identity)),
        fmt(averageBytes(p.bodies.protobuf.gzip)),
        fmt(averageBytes(p.bodies.json.identity)),
        fmt(averageBytes(p.bodies.json.gzip)),
      ]),
    ),
  );

  // 1–3: in-process pipeline, protobufjs baseline, floor.
  const inProcess: InProcessResult[] = [];
  if (!skip.has('inprocess')) {
    for (const payload of payloads.values()) {
      for (const compression of ['identity', 'gzip'] as const) {
        for (const format of ['protobuf', 'json'] as const) {
          const contenders: Contender[] = format === 'protobuf' ? ['pipeline', 'bare', 'baseline', 'floor'] : ['pipeline'];
          for (const contender of contenders) inProcess.push(measureInProcess(payload, format, compression, contender, SLICE_MS, SLICES));
        }
      }
    }
    log('\nin-process (decode → extract → scrub → group → metrics; gzip includes gunzipSync): items and MB per CPU-second, CPU-s per million items; bare: without scrub and group');
    const find = (s: string, f: Format, c: Compression, k: Contender) => inProcess.find((r) => r.scenario === s && r.format === f && r.compression === c && r.contender === k);
    const rows: string[][] = [];
    for (const payload of payloads.values()) {
      for (const compression of ['identity', 'gzip'] as const) {
        const pipeline = find(payload.scenario, 'protobuf', compression, 'pipeline');
        const bare = find(payload.scenario, 'protobuf', compression, 'bare');
        const baseline = find(payload.scenario, 'protobuf', compression, 'baseline');
        const floor = find(payload.scenario, 'protobuf', compression, 'floor');
        const json = find(payload.scenario, 'json', compression, 'pipeline');
        rows.push([
          `${payload.scenario} ${compression}`,
          fmt(pipeline?.itemsPerSecond),
          fmt(pipeline?.megabytesPerSecond),
          fmt(pipeline?.cpuSecondsPerMillionItems),
          fmt(bare?.itemsPerSecond),
          fmt(bare?.cpuSecondsPerMillionItems),
          fmt(baseline?.itemsPerSecond),
          fmt(floor?.itemsPerSecond),
          fmt(json?.itemsPerSecond),
          ratio(pipeline?.itemsPerSecond, baseline?.itemsPerSecond),
          ratio(pipeline?.itemsPerSecond, floor?.itemsPerSecond),
          ratio(json?.itemsPerSecond, pipeline?.itemsPerSecond),
        ]);
      }
    }
    log(table(['scenario', 'pipeline', 'MB/s', 'CPU-s/M', 'bare', 'bare CPU-s/M', 'protobufjs', 'floor', 'json', '÷protobufjs', '÷floor', 'json÷pb'], rows));
  }

  // 4: end to end.
  const endToEnd: EndToEndResult[] = [];
  let bareRequestsPerSecond = NaN;
  let cardinality: Awaited<ReturnType<typeof measureCardinalityRss>> | undefined;
  if (!skip.has('e2e') && pinned) {
    const runs: { scenario: ScenarioId; transport: Transport; format: Format; compression: Compression }[] = [];
    const main: ScenarioId = only && only !== 'C1' ? (only as ScenarioId) : 'S2';
    if (quick) runs.push({ scenario: main, transport: 'http', format: 'protobuf', compression: 'gzip' });
    else {
      for (const compression of ['identity', 'gzip'] as const) {
        runs.push({ scenario: main, transport: 'http', format: 'protobuf', compression });
        runs.push({ scenario: main, transport: 'http', format: 'json', compression });
        runs.push({ scenario: main, transport: 'grpc', format: 'protobuf', compression });
      }
      if (!only) {
        runs.push({ scenario: 'S1', transport: 'http', format: 'protobuf', compression: 'gzip' });
        runs.push({ scenario: 'S3', transport: 'http', format: 'protobuf', compression: 'gzip' });
        runs.push({ scenario: 'S4-10', transport: 'http', format: 'protobuf', compression: 'identity' });
        runs.push({ scenario: 'S4-1', transport: 'http', format: 'protobuf', compression: 'identity' });
        runs.push({ scenario: 'L1', transport: 'http', format: 'protobuf', compression: 'gzip' });
      }
    }
    for (const run of runs) {
      const payload = payloads.get(run.scenario);
      if (!payload) continue;
      endToEnd.push(await measureEndToEnd({ payload, ...run, concurrency: CONCURRENCY, durationMs: E2E_MS, serverCore: SERVER_CORE }));
    }
    if (!quick && payloads.has('S4-1')) bareRequestsPerSecond = await measureBareHttp(payloads.get('S4-1')!, CONCURRENCY, E2E_MS, SERVER_CORE);
    if (payloads.has('C1')) cardinality = await measureCardinalityRss(payloads.get('C1')!, quick ? 40 : 200, SERVER_CORE);
    log(`\nend to end over loopback (server pinned to core ${SERVER_CORE}, ${CONCURRENCY} in flight; latency at 80% of saturation)`);
    log(
      table(
        ['run', 'items/s', 'req/s', 'CPU-s/M', 'server CPU', 'p50 ms', 'p99 ms', 'refused', 'peak RSS MiB'],
        endToEnd.map((r) => [
          `${r.scenario} ${r.transport} ${r.format} ${r.compression}`,
          fmt(r.saturationItemsPerSecond),
          fmt(r.saturationRequestsPerSecond),
          fmt(r.serverCpuSecondsPerMillionItems),
          `${(r.serverCpuUtilisation * 100).toFixed(0)}%`,
          fmt(r.latencyP50Ms),
          fmt(r.latencyP99Ms),
          String(r.refusedRequests),
          fmt(r.peakRssMiB),
        ]),
      ),
    );
    if (Number.isFinite(bareRequestsPerSecond)) log(`bare node:http (reads the S4-1 body, answers 200): ${fmt(bareRequestsPerSecond)} req/s`);
    if (cardinality) log(`C1 (${quick ? 40 : 200} requests of 512 unique exception types): RSS ${fmt(cardinality.rssMiB)} MiB (idle ${fmt(cardinality.idleRssMiB)}, peak ${fmt(cardinality.peakRssMiB)})`);
  }

  // 5: /metrics.
  let scrape: ScrapeResult[] = [];
  if (!skip.has('scrape') && payloads.has('C1')) {
    scrape = await measureScrape(payloads.get('C1')!, quick ? [10_000] : [1_000, 5_000, 10_000], quick ? 3 : 10);
    log('\n/metrics render (error series from C1, plus span series)');
    log(table(['series', 'format', 'render ms', 'bytes', 'max loop delay ms'], scrape.map((s) => [String(s.series), s.format, fmt(s.renderMs), fmt(s.bytes), fmt(s.maxEventLoopDelayMs)])));
  }

  // 6: the error-group store through the server (store.ts; standalone for other sizes). Not with
  // --scenario: it sends its own payloads and takes minutes.
  let store: StoreResult | undefined;
  if (!skip.has('store') && !only) {
    const groups = quick ? 1_000 : 10_000;
    store = await measureStore({ groups, samples: 5, afterMs: quick ? 6_000 : 12_000, serverCore: pinned ? SERVER_CORE : undefined, log });
    log(`\nerror-group store through the server (${groups.toLocaleString('en-US')} groups × 5 samples, 4–8 KiB stack traces; other sizes: node dist/bench/store.js --groups=N)`);
    log(storeTable([store]));
  }

  // 7: the store engines alone, in this process (store-engine.ts): SQLite, PostgreSQL, and
  // PostgreSQL with two writers (a private server; skipped with a note when Debian's postgresql is
  // missing). 100,000 groups standalone: node dist/bench/store-engine.js --groups=100000.
  const engines: EngineResult[] = [];
  if (!skip.has('store-engine') && !only) {
    const groups = quick ? 1_000 : 10_000;
    let server: PostgresServer | undefined;
    const postgresUrl = async () => (server ??= await startPostgres()).createDatabase();
    try {
      for (const engine of ['sqlite', 'postgres', 'postgres-2-writers'] as const) {
        try {
          engines.push(await measureEngine(engine, { groups, samples: 5, postgresUrl, log }));
        } catch (error) {
          log(`store-engine ${engine}: not measured (${(error as Error).message.split('\n')[0]})`);
        }
      }
    } finally {
      await server?.stop();
    }
    log(`\nerror-group store engines in-process (${groups.toLocaleString('en-US')} groups × 5 samples; events/CPU-s is per core; other sizes: node dist/bench/store-engine.js --groups=N)`);
    log(engineTable(engines));
  }

  // 8: the event loop under large requests (fair-loop.ts) and 9: idle connections (connections.ts).
  const fairness: FairResult[] = [];
  if (!skip.has('fairness') && !only) {
    for (const load of FAIR_LOADS) fairness.push(await measureFairness(load, quick ? 2 : 5));
    log(`\nfair event loop: /health/live every 25 ms under large requests (load average ${os.loadavg().map((n) => n.toFixed(2)).join(' ')})`);
    log(fairnessTable(fairness));
  }
  const connections: ConnectionResult[] = [];
  if (!skip.has('connections') && !only) {
    for (const kind of CONNECTION_KINDS) connections.push(await measureConnections(kind));
    log('\nidle connections against the default limits (4,096 per ingest port)');
    log(connectionsTable(connections));
  }

  // Targets.
  const ip = (s: string, f: Format, c: Compression, k: Contender) => inProcess.find((r) => r.scenario === s && r.format === f && r.compression === c && r.contender === k)?.itemsPerSecond;
  const e2e = (t: Transport, f: Format, c: Compression, s = 'S2') => endToEnd.find((r) => r.scenario === s && r.transport === t && r.format === f && r.compression === c);
  const scrape10k = scrape.filter((s) => s.series >= 10_000);
  const targets = [
    target('in-process ÷ protobufjs, S2 identity', div(ip('S2', 'protobuf', 'identity', 'pipeline'), ip('S2', 'protobuf', 'identity', 'baseline')), '≥ 5', (v) => v >= 5),
    target('in-process ÷ protobufjs, S2 gzip', div(ip('S2', 'protobuf', 'gzip', 'pipeline'), ip('S2', 'protobuf', 'gzip', 'baseline')), '≥ 2', (v) => v >= 2),
    target('in-process ÷ floor, S2 gzip', div(ip('S2', 'protobuf', 'gzip', 'pipeline'), ip('S2', 'protobuf', 'gzip', 'floor')), '≥ 0.5', (v) => v >= 0.5),
    target('e2e CPU-s per M spans, S2 http protobuf gzip', e2e('http', 'protobuf', 'gzip')?.serverCpuSecondsPerMillionItems, '≤ 3', (v) => v <= 3),
    target('e2e p99 ms at 80%, S2 http protobuf gzip', e2e('http', 'protobuf', 'gzip')?.latencyP99Ms, '< 50', (v) => v < 50),
    target('e2e gRPC ÷ HTTP protobuf throughput, S2 identity', div(e2e('grpc', 'protobuf', 'identity')?.saturationItemsPerSecond, e2e('http', 'protobuf', 'identity')?.saturationItemsPerSecond), '≥ 0.7', (v) => v >= 0.7),
    target('e2e gRPC ÷ HTTP protobuf throughput, S2 gzip', div(e2e('grpc', 'protobuf', 'gzip')?.saturationItemsPerSecond, e2e('http', 'protobuf', 'gzip')?.saturationItemsPerSecond), '≥ 0.7', (v) => v >= 0.7),
    target('e2e JSON ÷ protobuf throughput, S2 identity', div(e2e('http', 'json', 'identity')?.saturationItemsPerSecond, e2e('http', 'protobuf', 'identity')?.saturationItemsPerSecond), '≥ 0.3', (v) => v >= 0.3),
    target('e2e gzip ÷ identity CPU per span, S2 http protobuf', div(e2e('http', 'protobuf', 'gzip')?.serverCpuSecondsPerMillionItems, e2e('http', 'protobuf', 'identity')?.serverCpuSecondsPerMillionItems), '≤ 1.5', (v) => v <= 1.5),
    target('S4-1 req/s ÷ bare node:http', div(endToEnd.find((r) => r.scenario === 'S4-1')?.saturationRequestsPerSecond, bareRequestsPerSecond), '≥ 0.5', (v) => v >= 0.5),
    target('/metrics render ms at 10k series (text)', scrape10k.find((s) => s.format === 'text')?.renderMs, '< 50', (v) => v < 50),
    target('event-loop delay ms during /metrics at 10k', max(scrape10k.map((s) => s.maxEventLoopDelayMs)), '< 10', (v) => v < 10),
    target('RSS MiB after C1', cardinality?.rssMiB, '< 250', (v) => v < 250),
    ...engineTargetsOf(engines.find((e) => e.engine === 'sqlite')),
    target('/health/live max ms under large requests', max(fairness.map((f) => f.maxMs)), '≤ 250', (v) => v <= 250),
  ];
  log('\ntargets');
  log(table(['target', 'measured', 'goal', ''], targets.map((t) => [t.name, fmt(t.value), t.goal, t.value === undefined ? 'not run' : t.met ? 'met' : 'MISSED'])));

  const directory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${new Date().toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
  const report = {
    startedAt: new Date(startedAt).toISOString(),
    seconds: (Date.now() - startedAt) / 1000,
    quick,
    node: process.version,
    cpus: os.cpus().map((cpu) => cpu.model),
    pinned,
    inProcess,
    endToEnd,
    bareRequestsPerSecond,
    cardinality,
    scrape,
    store,
    engines,
    fairness,
    connections,
    targets,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`\nwrote ${path.relative(process.cwd(), file)} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

function ratio(a: number | undefined, b: number | undefined): string {
  const value = div(a, b);
  return value === undefined ? '—' : `${value.toFixed(2)}×`;
}

function div(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? undefined : a / b;
}

function max(values: number[]): number | undefined {
  return values.length === 0 ? undefined : Math.max(...values);
}

function target(name: string, value: number | undefined, goal: string, met: (value: number) => boolean) {
  return { name, value, goal, met: value === undefined ? null : met(value) };
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
