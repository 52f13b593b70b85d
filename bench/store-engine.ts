// The error-group store alone, in this process: what SQLite and PostgreSQL cost per event at the
// sizes the config allows, without the server's decoding (store.ts measures the whole server).
//
// Events: the first POOL_GROUPS groups' events of the store bench's load (store-payloads.ts: 4–8
// KiB Java and Node stack traces) are made by Faultline's own pipeline (decoded, extracted,
// scrubbed, grouped). The G × S events filed are copies of them, sample round by sample round as
// the server bench sends them: group g's event of round r copies pool event g mod POOL_GROUPS with
// a fingerprint of its own (so G distinct groups), its own trace id, time and message suffix (so
// distinct event ids). The store sees real sizes and G groups; making 500,000 events through the
// pipeline would cost more than filing them (the server bench, store.ts, measures that part).
// Each phase files a chunk of CHUNK_EVENTS as the groups exporter does: store.record() on
// write_batch (64) events at a time, a turn of the event loop between batches. Measured, per engine:
//   events/s per core   events ÷ this process's CPU seconds during the store phases (the
//                       checkpoint worker included; PostgreSQL's server process not): steady on
//                       a busy machine, where wall time is not;
//   events/s            events ÷ wall seconds of the store phases (a busy machine lowers it);
//   loop delay          monitorEventLoopDelay during the store phases only (not while events are
//                       made): max and p99, what the store blocks the loop for, and beside it the
//                       longest garbage collection pause in those phases (which also blocks it);
//                       and, from a 1 ms timer, the longest block less the GC pauses inside it
//                       (the store's statements and the kernel's stalls in them, without the
//                       process's collections, which the bench's own events feed; another
//                       instrument, so it can read a few ms above the histogram's maximum);
//   memory              this process's peak RSS while filing (the high-water mark is reset once
//                       the pool is made and collected, so making it does not count; the pool and
//                       the chunks of events do: an upper bound for the store), and its heap after
//                       a full GC at the end;
//   reopen              close the storage, open it again (migrations checked) and answer the
//                       groups query: the store's share of a restart to ready;
//   query               GET /api/v1/groups?sort=count&limit=50's store call at full size;
//   ui list             the web UI's issues page at full size: GET /api/v1/groups?limit=25
//                       &histogram=24h (the page and its groups' hourly counts), median of 5;
//   ui search           the same with ?q= a word no title or culprit holds (the trigram index of
//                       migration 7 finds none; without it every title and culprit was read),
//                       median of 5;
//   ui facets           GET /api/v1/groups/facets's store call (the filters' values), median of 5;
//   exact               the sum of the groups' counts equals G × S (nothing lost or doubled).
// PostgreSQL with two writers: two stores, each with its own connection pool (two replicas), file
// the same events split between them (even chunks to one, odd to the other) at the same time;
// events/s is all events ÷ wall time, and the counts must still add up exactly.
//
// Standalone: node --expose-gc dist/bench/store-engine.js [--groups=100000] [--samples=5]
//   [--engines=sqlite,postgres] (PostgreSQL needs Debian's postgresql: a private server is started)
// In `npm run bench` it is the `store-engine` section (10,000 × 5 on SQLite and PostgreSQL; --quick: 1,000).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { constants as perfConstants, monitorEventLoopDelay, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ProcessorContext } from '../src/component.js';
import { COMPONENTS } from '../src/components.js';
import type { ErrorEvent, Extracted } from '../src/extract/error-event.js';
import { createExtractOptions } from '../src/extract/options.js';
import { GROUPS_EXPORTER_DEFAULTS } from '../src/group/store/config.js';
import { createGroupStore, type GroupQuery, type GroupStore } from '../src/group/store/group-store.js';
import { listGroups } from '../src/group/api/groups-api.js';
import { systemClock } from '../src/internal/clock.js';
import { createLogger } from '../src/internal/logger.js';
import { createRegistry } from '../src/metrics/registry.js';
import { createIngest } from '../src/pipeline/ingest.js';
import { chainStages } from '../src/pipeline/processor.js';
import { ERRORS_PROCESSOR_DEFAULTS } from '../src/processor/errors/config.js';
import { openStorage } from '../src/storage/open.js';
import type { StorageConfig } from '../src/config/storage.js';
import { synchronousQueue } from './in-process.js';
import { ioCounters, statusMiB, threadSchedstat } from './processes.js';
import { fmt, percentile, table } from './measure.js';
import { createStoreLoad, type StoreLoad } from './store-payloads.js';

const CHUNK_EVENTS = 5_000;
/** The kinds of garbage collection a pause entry names: minor (the young generation) or major (the whole heap). */
const GC_KINDS = new Map<number, string>([
  [perfConstants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB, 'weak callbacks'],
]);
/**
 * Distinct real events to copy from. They are the bench's input, yet live in the heap measured:
 * 5,000 held 115 MiB and raised the filing peak RSS by about 135 MiB (409–413 against 275–276
 * MiB at 20,000 × 5), at the same events per CPU-second.
 */
const POOL_GROUPS = 1_000;
const WRITE_BATCH = GROUPS_EXPORTER_DEFAULTS.writeBatch;
const EXPORTER = 'groups';

type OpenedStorage = Awaited<ReturnType<typeof openStorage>>;

export type Engine = 'sqlite' | 'postgres' | 'postgres-2-writers';

export interface EngineResult {
  readonly engine: Engine;
  readonly groups: number;
  readonly events: number;
  /** Events ÷ CPU seconds of this process during the store phases: events/s per core. */
  readonly eventsPerCpuSecond: number;
  /** Events ÷ wall seconds of the store phases (with two writers: both together). */
  readonly eventsPerSecond: number;
  readonly recordMsPerEvent: number;
  readonly loopMaxMs: number;
  readonly loopP99Ms: number;
  /** The longest garbage collection pause during the filing phases. */
  readonly gcMaxMs: number;
  /** The longest loop block less the garbage collection pauses inside it: what the store and the kernel held it for. */
  readonly loopMaxLessGcMs: number;
  readonly slowestBatchMs: number;
  readonly batchP99Ms: number;
  readonly peakRssMiB: number;
  readonly heapAfterGcMiB: number;
  readonly reopenMs: number;
  readonly queryMs: number;
  readonly uiListMs: number;
  readonly uiSearchMs: number;
  readonly uiFacetsMs: number;
  readonly countsSum: number;
  readonly exact: boolean;
}

/** Faultline's scrub and group processors after decoding and extraction; events land in `sink`. */
function createEventMaker(load: StoreLoad): (request: number) => ErrorEvent[] {
  let sink: ErrorEvent[] = [];
  const context: ProcessorContext = { registry: createRegistry({ defaultMetrics: false }), clock: systemClock, logger: createLogger('silent') };
  const stages = COMPONENTS.implicitProcessors
    .filter((config) => config.type !== 'identity') // it only delays: every event here is its own trace
    .map((config) => ({ name: `processor.${config.id}`, ...COMPONENTS.processors.find((p) => p.type === config.type)!.create!(config, context) }));
  const consumer = chainStages(stages, { consume: (batch: Extracted) => void sink.push(...batch.events) }, { includeHandledExceptions: true }, (stage, error) => {
    throw new Error(`${stage} failed in the store-engine bench`, { cause: error });
  });
  const queue = synchronousQueue(consumer);

  const options = createExtractOptions(ERRORS_PROCESSOR_DEFAULTS);
  const ingest = createIngest({ routes: { traces: { options, consumer } }, queue });
  return (request) => {
    sink = [];
    ingest.accept('traces', 'protobuf', load.body(request));
    return sink;
  };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function open(config: StorageConfig, dataDir: string): Promise<OpenedStorage> {
  return openStorage(config, { dataDir, logger: createLogger('silent'), nowMs: Date.now() });
}

function storeOn(opened: OpenedStorage, groups: number): GroupStore {
  return createGroupStore({ storage: opened.storage, exporter: EXPORTER, limits: { ...GROUPS_EXPORTER_DEFAULTS, maxGroups: groups }, clock: systemClock });
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Real events of the load's first POOL_GROUPS groups (round 0), made by the pipeline. */
function makePool(load: StoreLoad): ErrorEvent[] {
  const make = createEventMaker(load);
  const pool: ErrorEvent[] = [];
  for (let request = 0; pool.length < Math.min(load.groups, POOL_GROUPS) && request < load.requests; request++) pool.push(...make(request));
  return pool.slice(0, Math.min(load.groups, POOL_GROUPS));
}

/** Event `index` of the load (round index ÷ G, group index mod G), copied from the pool. */
function eventAt(pool: readonly ErrorEvent[], groups: number, index: number): ErrorEvent {
  const group = index % groups;
  const round = Math.floor(index / groups);
  const { id: _id, ...base } = pool[group % pool.length]!;
  const grouping = base.grouping!;
  return {
    ...base,
    // Random-looking, as SDKs make them (and as store-payloads.ts sends them), and distinct: the
    // multiplication by an odd number is a one-to-one scramble of the index.
    traceId: `${(Math.imul(index + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}${index.toString(16).padStart(24, '0')}`,
    // Stamped as the server bench stamps its spans (store-payloads.ts): a millisecond apart, in
    // the order sent, as live traffic arrives.
    timestampMs: pool[0]!.timestampMs + index,
    message: `${base.message} #${round}`,
    grouping: { ...grouping, fingerprint: `${grouping.fingerprint}-${group}` },
  };
}

/** Gaps of the event loop over this long are kept, to take the GC pauses inside them off. */
const BLOCK_MS = 10;

/** A gap of the event loop: when it began and ended, and where the loop's thread was meanwhile (Linux). */
interface LoopBlock {
  readonly start: number;
  readonly end: number;
  /** Milliseconds the thread ran on a core, and waited for one (runnable, another thread on it); undefined off Linux. */
  readonly onCpuMs?: number;
  readonly waitingMs?: number;
}

/**
 * Watches the event loop with a 1 ms timer between start() and stop(): every gap over BLOCK_MS.
 * On Linux each gap also says how long the thread ran and how long it waited for a core; the rest
 * of the gap it slept in the kernel (a read waiting for a page, say).
 */
function loopBlocks() {
  const blocks: LoopBlock[] = [];
  const sched = threadSchedstat();
  let last = 0;
  let lastSched: [number, number] | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    blocks,
    start() {
      sched.open();
      last = performance.now();
      lastSched = sched.read();
      timer = setInterval(() => {
        const now = performance.now();
        const nowSched = sched.read();
        if (now - last > BLOCK_MS) {
          const split =
            nowSched === undefined || lastSched === undefined ? {} : { onCpuMs: (nowSched[0] - lastSched[0]) / 1e6, waitingMs: (nowSched[1] - lastSched[1]) / 1e6 };
          blocks.push({ start: last, end: now, ...split });
        }
        last = now;
        lastSched = nowSched;
      }, 1);
    },
    stop() {
      clearInterval(timer);
      sched.close();
    },
  };
}

/** Where the loop's thread spent a block: "on a core X ms, waiting for one Y ms, asleep Z ms"; '' off Linux. */
function whereSpent(block: LoopBlock): string {
  if (block.onCpuMs === undefined || block.waitingMs === undefined) return '';
  const asleep = Math.max(0, block.end - block.start - block.onCpuMs - block.waitingMs);
  return `; the thread on a core ${fmt(block.onCpuMs)} ms, waiting for one ${fmt(block.waitingMs)} ms, asleep ${fmt(asleep)} ms`;
}

/** The longest of `blocks` once the parts of garbage collection pauses inside it are taken off: that block, its GC time and what is left. */
function longestLessGc(blocks: readonly LoopBlock[], pauses: readonly PerformanceEntry[]) {
  let longest: { block: LoopBlock; gcMs: number; lessGcMs: number } = { block: { start: 0, end: 0 }, gcMs: 0, lessGcMs: 0 };
  for (const block of blocks) {
    let gcMs = 0;
    for (const pause of pauses) gcMs += Math.max(0, Math.min(block.end, pause.startTime + pause.duration) - Math.max(block.start, pause.startTime));
    const lessGcMs = block.end - block.start - gcMs;
    if (lessGcMs > longest.lessGcMs) longest = { block, gcMs, lessGcMs };
  }
  return longest;
}

/** The longest of `pauses` that started inside one of `phases`, and its kind. */
function longestPauseWithin(pauses: readonly PerformanceEntry[], phases: readonly { start: number; end: number }[]) {
  let gcMaxMs = 0;
  let gcMaxKind = '';
  for (const pause of pauses) {
    if (pause.duration <= gcMaxMs || !phases.some((phase) => pause.startTime >= phase.start && pause.startTime < phase.end)) continue;
    gcMaxMs = pause.duration;
    gcMaxKind = GC_KINDS.get((pause.toJSON() as { detail?: { kind?: number } }).detail?.kind ?? 0) ?? 'other';
  }
  return { gcMaxMs, gcMaxKind };
}

/** Files every event of `load` into `stores` (chunk i to store i mod n), measuring only the store phases. */
async function fill(load: StoreLoad, stores: readonly GroupStore[], log: (line: string) => void) {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const pool = makePool(load);
  // Making the pool runs the pipeline (its garbage peaked at ~190 MiB of heap): collect it, and
  // start the peak RSS again from here (Linux: writing 5 to clear_refs resets VmHWM).
  gc();
  log(`store-engine: the bench's pool of ${pool.length.toLocaleString('en-US')} events (with the pipeline's caches) holds ${fmt((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20)} MiB of heap, counted in the filing peak RSS`);
  const peakReset = resetPeakRss();
  const ioBefore = ioCounters(process.pid);
  const total = load.groups * load.samples;
  const batchMs: number[] = [];
  let insideMs = 0;
  let wallMs = 0;
  let cpuMs = 0;
  let loopMaxMs = 0;
  let loopP99Ms = 0;
  // Garbage collection pauses block the loop too; the longest during the phases tells them apart
  // from the store's own work (the bench's chunks of events make much of that garbage). Entries
  // reach the observer later, often after their phase has ended, so a pause is placed in a phase by
  // its start time, not by when it is delivered.
  const pauses: PerformanceEntry[] = [];
  const phases: { start: number; end: number }[] = [];
  const gcObserver = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
  gcObserver.observe({ entryTypes: ['gc'] });
  const blocks = loopBlocks();
  let events = 0;
  let nextLog = Date.now() + 10_000;
  while (events < total) {
    const chunk: ErrorEvent[] = [];
    for (let index = events; index < Math.min(total, events + CHUNK_EVENTS); index++) chunk.push(eventAt(pool, load.groups, index));
    // One writer per store, all at once: each takes its share of the chunk's batches.
    // Each writes as the groups exporter's write-behind does: write_batch at a time.
    const writers = stores.map(async (store, writer) => {
      const share = chunk.filter((_event, index) => Math.floor(index / WRITE_BATCH) % stores.length === writer);
      for (let first = 0; first < share.length; ) {
        const batch = share.slice(first, first + WRITE_BATCH);
        const start = performance.now();
        await store.record(batch);
        const took = performance.now() - start;
        batchMs.push(took);
        insideMs += took;
        first += batch.length;
        await turn();
      }
    });
    // A histogram per phase: one re-enabled after a pause would count the pause as a delay.
    const loop = monitorEventLoopDelay({ resolution: 5 });
    const started = performance.now();
    loop.enable();
    blocks.start();
    const cpu = process.cpuUsage();
    await Promise.all(writers);
    const used = process.cpuUsage(cpu);
    cpuMs += (used.user + used.system) / 1000;
    wallMs += performance.now() - started;
    loop.disable();
    blocks.stop();
    phases.push({ start: started, end: performance.now() });
    loopMaxMs = Math.max(loopMaxMs, loop.max / 1e6);
    loopP99Ms = Math.max(loopP99Ms, loop.percentile(99) / 1e6);
    events += chunk.length;
    if (Date.now() >= nextLog) {
      nextLog = Date.now() + 10_000;
      log(`  … ${events.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} events, ${fmt(events / (cpuMs / 1000))} events per CPU-second, RSS ${fmt(process.memoryUsage().rss / 2 ** 20)} MiB`);
    }
  }
  pauses.push(...gcObserver.takeRecords());
  gcObserver.disconnect();
  const { gcMaxMs, gcMaxKind } = longestPauseWithin(pauses, phases);
  log(`store-engine: the longest garbage collection pause while filing: ${fmt(gcMaxMs)} ms (${gcMaxKind})`);
  const lessGc = longestLessGc(blocks.blocks, pauses);
  log(
    `store-engine: the longest loop block less the GC pauses inside it: ${fmt(lessGc.lessGcMs)} ms (a block of ${fmt(lessGc.block.end - lessGc.block.start)} ms, ${fmt(lessGc.gcMs)} of them GC, ${fmt((lessGc.block.start - (phases[0]?.start ?? 0)) / 1000)} s into filing; ${blocks.blocks.length} blocks over ${BLOCK_MS} ms${whereSpent(lessGc.block)})`,
  );
  const ioAfter = ioCounters(process.pid);
  if (ioBefore !== undefined && ioAfter !== undefined) {
    // Steadier than CPU time on a busy machine: what SQLite wrote (WAL frames, then the checkpoint
    // copying them into the database) and read (pages its cache missed, frames the checkpoint read).
    const per = (key: keyof typeof ioAfter) => (ioAfter[key] - ioBefore[key]) / events;
    log(
      `store-engine: per event filed, ${fmt(per('writeBytes') / 1024)} KiB written in ${fmt(per('writes'))} calls and ${fmt(per('readBytes') / 1024)} KiB read in ${fmt(per('reads'))} calls (/proc/self/io, every thread; on PostgreSQL its socket)`,
    );
  }
  batchMs.sort((a, b) => a - b);
  return {
    gcMaxMs,
    loopMaxLessGcMs: lessGc.lessGcMs,
    events,
    insideMs,
    wallMs,
    cpuMs,
    loopMaxMs,
    loopP99Ms,
    slowestBatchMs: batchMs.at(-1) ?? 0,
    batchP99Ms: percentile(batchMs, 99),
    // Where the reset is not possible, the process's peak since it started (making the pool included).
    peakRssMiB: peakReset ? statusMiB(process.pid, 'VmHWM') : process.resourceUsage().maxRSS / 1024,
  };
}

/** Resets this process's peak RSS (VmHWM) to its current RSS; false where that is not possible. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** The sum of every group's count, in one query (paging the API through 100,000 groups would take long). */
/** The median wall time of 5 runs of `run`, after one unmeasured run (caches warm as in a server). */
async function medianMs(run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[2]!;
}

async function countsSum(opened: OpenedStorage): Promise<number> {
  const row = await opened.storage.read((sql) => sql.one<{ n: number | null }>('SELECT SUM(count) AS n FROM groups WHERE exporter = ?', [EXPORTER]));
  return Number(row?.n ?? 0);
}

export async function measureEngine(engine: Engine, options: { groups: number; samples: number; postgresUrl?: () => Promise<string>; log?: (line: string) => void }): Promise<EngineResult> {
  const log = options.log ?? (() => {});
  const load = createStoreLoad({ groups: options.groups, samples: options.samples, perRequest: 100 });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-engine-'));
  const writers = engine === 'postgres-2-writers' ? 2 : 1;
  const config: StorageConfig =
    engine === 'sqlite' ? { engine: 'sqlite', path: '' } : { engine: 'postgres', url: await options.postgresUrl!(), poolSize: 4, connectTimeoutMs: 5_000 };
  log(`store-engine: ${engine}, ${load.groups.toLocaleString('en-US')} groups × ${load.samples} samples`);
  const opened: OpenedStorage[] = [];
  try {
    for (let i = 0; i < writers; i++) opened.push(await open(config, dataDir));
    const stores = opened.map((o) => storeOn(o, options.groups));
    const filled = await fill(load, stores, log);

    const queryStart = performance.now();
    await stores[0]!.list({ limit: 50, offset: 0, sort: 'count' });
    const queryMs = performance.now() - queryStart;

    const uiListMs = await medianMs(() => listGroups(stores[0]!, { sort: 'last_seen', limit: 25, offset: 0 }, '24h'));
    const uiSearchMs = await medianMs(() => listGroups(stores[0]!, { sort: 'last_seen', limit: 25, offset: 0, text: 'no-such-word-anywhere' } satisfies GroupQuery, '24h'));
    const uiFacetsMs = await medianMs(() => stores[0]!.facets(100));
    // Beside the table: a search the index cannot serve (a word of 2 characters, read from every
    // group) and one most groups match (the index finds them all, and the total counts them).
    const search = (text: string) => medianMs(() => listGroups(stores[0]!, { sort: 'last_seen', limit: 25, offset: 0, text }, '24h'));
    const common = (await stores[0]!.list({ sort: 'last_seen', limit: 1, offset: 0 })).groups[0]?.title.split(/\W+/).find((word) => word.length >= 3) ?? 'error';
    log(`store-engine: ${engine} search of a 2-character word ${fmt(await search('zq'))} ms; of "${common}", in the newest group's title, ${fmt(await search(common))} ms (medians)`);

    for (const o of opened.splice(0)) await o.storage.close();
    const reopenStart = performance.now();
    const again = await open(config, dataDir);
    opened.push(again);
    const reopened = storeOn(again, options.groups);
    await reopened.list({ limit: 50, offset: 0, sort: 'last_seen' });
    const reopenMs = performance.now() - reopenStart;
    const sum = await countsSum(again);
    gc();
    const heapAfterGcMiB = process.memoryUsage().heapUsed / 2 ** 20;
    return {
      engine,
      groups: options.groups,
      events: filled.events,
      eventsPerCpuSecond: filled.events / (filled.cpuMs / 1000),
      eventsPerSecond: filled.events / (filled.wallMs / 1000),
      recordMsPerEvent: filled.insideMs / filled.events,
      loopMaxMs: filled.loopMaxMs,
      loopP99Ms: filled.loopP99Ms,
      gcMaxMs: filled.gcMaxMs,
      loopMaxLessGcMs: filled.loopMaxLessGcMs,
      slowestBatchMs: filled.slowestBatchMs,
      batchP99Ms: filled.batchP99Ms,
      peakRssMiB: filled.peakRssMiB,
      heapAfterGcMiB,
      reopenMs,
      queryMs,
      uiListMs,
      uiSearchMs,
      uiFacetsMs,
      countsSum: sum,
      exact: sum === options.groups * options.samples,
    };
  } finally {
    for (const o of opened) await o.storage.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function engineTable(results: readonly EngineResult[]): string {
  const rows = results.map((r) => [
    r.engine,
    r.groups.toLocaleString('en-US'),
    fmt(r.eventsPerCpuSecond),
    fmt(r.eventsPerSecond),
    fmt(r.recordMsPerEvent),
    `${fmt(r.loopMaxMs)} / ${fmt(r.loopP99Ms)}`,
    fmt(r.gcMaxMs),
    `${fmt(r.slowestBatchMs)} / ${fmt(r.batchP99Ms)}`,
    fmt(r.peakRssMiB),
    fmt(r.heapAfterGcMiB),
    fmt(r.reopenMs),
    fmt(r.queryMs),
    `${fmt(r.uiListMs)} / ${fmt(r.uiSearchMs)} / ${fmt(r.uiFacetsMs)}`,
    r.exact ? 'yes' : `NO (${r.countsSum})`,
  ]);
  return table(['engine', 'groups', 'events/CPU-s', 'events/s', 'record ms/event', 'loop max/p99 ms', 'GC max ms', 'batch max/p99 ms', 'filing peak RSS MiB', 'heap MiB', 'reopen ms', 'query ms', 'ui list/search/facets ms', 'exact'], rows);
}

export interface EngineTarget {
  readonly name: string;
  readonly value: number | undefined;
  readonly goal: string;
  readonly met: boolean;
}

/**
 * The storage issue's targets that this bench measures, for the SQLite row. The peak RSS is the
 * process's while filing: the store with the bench's pool and chunks of events (an upper bound).
 */
export function engineTargetsOf(result: EngineResult | undefined): EngineTarget[] {
  const at = result === undefined ? '' : ` at ${result.groups.toLocaleString('en-US')} groups`;
  const row = (name: string, value: number | undefined, goal: string, met: (v: number) => boolean): EngineTarget => ({ name, value, goal, met: value !== undefined && met(value) });
  return [
    row(`SQLite events/s per core${at}`, result?.eventsPerCpuSecond, '≥ 3000', (v) => v >= 3000),
    row('SQLite longest loop block ms (store phases)', result?.loopMaxMs, '≤ 50', (v) => v <= 50),
    row('SQLite longest loop block less its GC pauses ms', result?.loopMaxLessGcMs, '≤ 50', (v) => v <= 50),
    row('SQLite peak RSS MiB while filing (store and bench)', result?.peakRssMiB, '≤ 400', (v) => v <= 400),
    row('SQLite reopen to first query ms', result?.reopenMs, '≤ 2000', (v) => v <= 2000),
    row('SQLite web UI issues list ms (median)', result?.uiListMs, '≤ 100', (v) => v <= 100),
    row('SQLite web UI search, no match, ms (median)', result?.uiSearchMs, '≤ 100', (v) => v <= 100),
    row('SQLite web UI filter values (facets) ms (median)', result?.uiFacetsMs, '≤ 100', (v) => v <= 100),
  ];
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(path.basename(process.argv[1]));
if (isMain) {
  const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const groups = Number(arg('groups', '100000'));
  const samples = Number(arg('samples', '5'));
  const engines = arg('engines', 'sqlite,postgres,postgres-2-writers').split(',') as Engine[];
  const log = (line: string) => console.log(line);
  let server: { createDatabase(): Promise<string>; stop(): Promise<void> } | undefined;
  const postgresUrl = async () => {
    if (server === undefined) {
      const { startPostgres } = await import('../test/helpers/postgres.js');
      server = await startPostgres();
    }
    return server.createDatabase();
  };
  const results: EngineResult[] = [];
  try {
    for (const engine of engines) results.push(await measureEngine(engine, { groups, samples, postgresUrl, log }));
  } finally {
    await server?.stop();
  }
  log(engineTable(results));
  const sqlite = results.find((r) => r.engine === 'sqlite');
  if (sqlite) log(table(['target', 'measured', 'goal', ''], engineTargetsOf(sqlite).map((t) => [t.name, fmt(t.value), t.goal, t.met ? 'met' : 'MISSED'])));
}
