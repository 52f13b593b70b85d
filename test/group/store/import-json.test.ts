// The groups file of older Faultlines, imported into storage once; and a groups exporter
// restarted on the same storage, or on a storage that fails.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createGroupsExporter } from '../../../src/group/groups-exporter.js';
import { createGroupSignals, type GroupSignal } from '../../../src/group/signals.js';
import { GROUPS_EXPORTER_DEFAULTS } from '../../../src/group/store/config.js';
import type { StoredGroup } from '../../../src/group/store/group-store.js';
import { HOUR_MS, HOURS_KEPT_MS } from '../../../src/group/store/event-hours.js';
import { importGroupsFile } from '../../../src/group/store/import-json.js';
import { FORMAT, FORMAT_VERSION, groupsFilePath, loadGroups } from '../../../src/group/store/persistence.js';
import { ManualClock } from '../../../src/internal/clock.js';
import { createLogger } from '../../../src/internal/logger.js';
import { createRegistry } from '../../../src/metrics/registry.js';
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js';
import type { Storage } from '../../../src/storage/storage.js';
import { sqliteStorage } from '../../helpers/storage.js';
import { allGroups, eventOf, groupOf, storeUnderTest } from './store-fixtures.js';

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line));
        done();
      },
    }),
  );
  return { logger, lines };
}

/** A groups exporter as service.ts builds it, on its own registry, admin routes ignored. */
function exporterOn(storage: Storage, dataDir: string, limits: Partial<typeof GROUPS_EXPORTER_DEFAULTS> = {}, clock = new ManualClock()) {
  const registry = createRegistry({ defaultMetrics: false });
  const signals = createGroupSignals();
  const emitted: GroupSignal[] = [];
  signals.subscribe((signal) => emitted.push(signal));
  const { logger, lines } = capturedLogger();
  const exporter = createGroupsExporter(
    { type: 'groups', id: 'groups', ...GROUPS_EXPORTER_DEFAULTS, ...limits },
    {
      registry,
      selfMetrics: createSelfMetrics(registry),
      clock,
      logger,
      admin: { route: () => {} },
      dataDir,
      storage,
      shutdownTimeoutMs: 1000,
      groupSignalsOf: () => signals,
    },
  );
  return { exporter, emitted, lines, registry };
}

/** What an older Faultline wrote: the groups, least recently updated first. */
async function writeLegacyFile(file: string, groups: readonly StoredGroup[]): Promise<void> {
  await writeFile(file, JSON.stringify({ format: FORMAT, version: FORMAT_VERSION, savedAtMs: 1, groups }));
}

const batch = (events: ReturnType<typeof eventOf>[]) => ({ events, timings: [], skippedExceptions: 0 });

describe('the groups file of an older Faultline', () => {
  it('is imported once, with states, merged ids and samples, then renamed aside', async () => {
    const { store } = await storeUnderTest();
    await store.record([eventOf('a', { serviceVersion: '1.2', attributes: new Map([['user.plan', 'pro']]) }), eventOf('b'), eventOf('c')]);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((fingerprint) => groupOf(store, fingerprint)));
    await store.setState(a!.id, 'resolved');
    await store.merge(c!.id, b!.id);
    const legacy = await Promise.all([a!.id, b!.id].map(async (id) => (await store.get(id))!));

    const storage = await sqliteStorage();
    const file = groupsFilePath(storage.dir, 'groups');
    await writeLegacyFile(file, legacy);
    const imported = await importGroupsFile({ storage, exporter: 'groups', dataDir: storage.dir, samplesPerGroup: 5, logger: capturedLogger().logger, nowMs: 1234 });
    assert.equal(imported, 2);
    const search = await storage.read((sql) =>
      sql.one<{ indexed: number; waiting: number }>('SELECT (SELECT COUNT(*) FROM group_search) AS indexed, (SELECT COUNT(*) FROM group_search_rows WHERE row > (SELECT upto FROM group_search_indexed)) AS waiting'),
    );
    assert.deepEqual({ ...search }, { indexed: 2, waiting: 0 }, 'imported groups are in the search index');
    assert.ok((await readdir(storage.dir)).includes('groups.json.imported-1234'));
    assert.ok(!(await readdir(storage.dir)).includes('groups.json'));

    const { store: after, emitted } = await storeUnderTest({}, storage);
    assert.deepEqual(await after.get(a!.id), legacy[0]);
    assert.equal((await after.mergedInto(c!.id))?.id, b!.id);
    await after.record([eventOf('c'), eventOf('a', { serviceVersion: '1.2' })]);
    assert.equal(emitted.length, 0, 'imported groups are known: neither new nor regressed');
    assert.equal((await after.get(b!.id))!.count, 3);
    assert.equal(await importGroupsFile({ storage, exporter: 'groups', dataDir: storage.dir, samplesPerGroup: 5, logger: capturedLogger().logger, nowMs: 5678 }), 0);
  });

  it('reads a file written before merged ids were kept', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faultline-groups-'));
    const file = groupsFilePath(dir, 'groups');
    const { store } = await storeUnderTest();
    await store.record([eventOf('a')]);
    const { mergedIds: _dropped, ...old } = (await groupOf(store, 'a'))!;
    await writeFile(file, JSON.stringify({ format: FORMAT, version: FORMAT_VERSION, savedAtMs: 1, groups: [old] }));
    const loaded = await loadGroups(file, capturedLogger().logger, 2);
    assert.deepEqual(loaded.map((group) => group.mergedIds), [[]]);
  });

  it('names one file per groups exporter id', () => {
    assert.equal(groupsFilePath('/data', 'groups'), path.join('/data', 'groups.json'));
    assert.equal(groupsFilePath('/data', 'groups/edge'), path.join('/data', 'groups-edge.json'));
  });

  for (const [name, text] of [
    ['truncated JSON', '{"format":"faultline.groups","version":1,"groups":[{"id":'],
    ['a group with a wrong field', '{"format":"faultline.groups","version":1,"groups":[{"id":7}]}'],
    ['another program\'s file', '{"hello":"world"}'],
  ]) {
    it(`is moved aside when corrupt (${name}), logged, and nothing is imported`, async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'faultline-groups-'));
      const file = path.join(dir, 'groups.json');
      await writeFile(file, text!);
      const { logger, lines } = capturedLogger();
      assert.deepEqual(await loadGroups(file, logger, 1234), []);
      assert.deepEqual(await readdir(dir), ['groups.json.corrupt-1234']);
      assert.equal(await readFile(path.join(dir, 'groups.json.corrupt-1234'), 'utf8'), text);
      assert.ok(lines.some((line) => line.level === 'error' && /corrupt/.test(String(line.msg))));
    });
  }
});

/** A database this many 4 KiB pages large is full: the empty schema takes 48 (the search index's tables among them), leaving room for a few groups. */
const FULL_AT_PAGES = 60;

describe('a groups exporter', () => {
  it('restarted on the same storage keeps its groups and does not announce them as new again', async () => {
    const storage = await sqliteStorage();
    const first = exporterOn(storage, storage.dir);
    await first.exporter.component.start();
    first.exporter.consumer.consume(batch([eventOf('a'), eventOf('a'), eventOf('b')]));
    await first.exporter.component.shutdown();
    assert.equal(first.emitted.length, 2);

    const second = exporterOn(storage, storage.dir);
    await second.exporter.component.start();
    assert.equal(await second.exporter.store.size(), 2);
    assert.equal((await groupOf(second.exporter.store, 'a'))!.count, 2);
    second.exporter.consumer.consume(batch([eventOf('a'), eventOf('c')]));
    await second.exporter.flush();
    assert.deepEqual(second.emitted.map((signal) => signal.event.grouping?.fingerprint), ['c']);
    await second.exporter.component.shutdown();
  });

  it('with sample_retention 0 keeps every sample, and still deletes hourly counts past 14 days', async () => {
    const storage = await sqliteStorage();
    const hourRows = async () => Number((await storage.read((sql) => sql.one<{ n: number }>('SELECT COUNT(*) AS n FROM group_hours')))?.n);
    const clock = new ManualClock();
    const first = exporterOn(storage, storage.dir, { sampleRetentionMs: 0 }, clock);
    await first.exporter.component.start();
    first.exporter.consumer.consume(batch([eventOf('a', { timestampMs: clock.now() - HOUR_MS })]));
    await first.exporter.component.shutdown();
    const id = (await groupOf(first.exporter.store, 'a'))!.id;
    assert.equal(await hourRows(), 1);

    // 15 days later, the next start sweeps in the background.
    const second = exporterOn(storage, storage.dir, { sampleRetentionMs: 0 }, new ManualClock(clock.now() + HOURS_KEPT_MS + 24 * HOUR_MS));
    await second.exporter.component.start();
    for (let wait = 0; wait < 100 && (await hourRows()) > 0; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await hourRows(), 0, 'the hour past 14 days is gone');
    assert.equal((await second.exporter.store.get(id))!.samples.length, 1, 'the sample, 15 days old, is kept');
    await second.exporter.component.shutdown();
  });

  it('writes what it accepted by flush_interval, without waiting for a full batch', async () => {
    const storage = await sqliteStorage();
    const { exporter } = exporterOn(storage, storage.dir, { flushIntervalMs: 100 });
    await exporter.component.start();
    exporter.consumer.consume(batch([eventOf('a')]));
    assert.equal(await exporter.store.size(), 0, 'not written yet: it waits for more');
    for (let i = 0; i < 100 && (await exporter.store.size()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await exporter.store.size(), 1);
    await exporter.component.shutdown();
  });

  it('on a full database counts and logs each failed write, keeps the events, and writes them once there is room', async () => {
    const storage = await sqliteStorage({ sqlite: { maxPageCount: FULL_AT_PAGES } });
    const { exporter, lines, registry } = exporterOn(storage, storage.dir, { flushIntervalMs: 100 });
    await exporter.component.start();
    const big = (i: number) => eventOf(`fp-${i}`, { message: `boom ${i}`, stacktrace: 'x'.repeat(3000) });
    exporter.consumer.consume(batch(Array.from({ length: 200 }, (_, i) => big(i))));
    await assert.rejects(exporter.flush(), /full/);
    const text = await registry.metrics();
    assert.match(text, /faultline_error_groups_persist_errors_total [1-9]/);
    // The first writes may fit before the file is full: every event is either written or still waiting.
    const pending = Number(/faultline_error_groups_pending_events (\d+)/.exec(text)?.[1]);
    assert.ok(pending > 0, `${pending} events waiting`);
    assert.equal((await allGroups(exporter.store)).length + pending, 200, 'each event written or waiting');
    assert.ok(lines.some((line) => line.level === 'warn' && /could not be written/.test(String(line.msg))));
    await storage.transaction((sql) => sql.run('PRAGMA max_page_count = 100000'));
    await exporter.flush();
    assert.equal((await allGroups(exporter.store)).length, 200, 'nothing accepted was lost');
    await exporter.component.shutdown();
  });

  it('drops and counts events past max_pending_events while storage fails', async () => {
    const storage = await sqliteStorage({ sqlite: { maxPageCount: FULL_AT_PAGES } });
    const { exporter, registry } = exporterOn(storage, storage.dir, { maxPendingEvents: 50, flushIntervalMs: 100 });
    await exporter.component.start();
    exporter.consumer.consume(batch(Array.from({ length: 80 }, (_, i) => eventOf(`fp-${i}`, { message: `boom ${i}`, stacktrace: 'x'.repeat(5000) }))));
    const text = await registry.metrics();
    assert.match(text, /faultline_error_groups_dropped_events_total 30/);
    assert.match(text, /faultline_error_groups_pending_events 50/);
    await assert.rejects(exporter.component.shutdown(), 'a shutdown that cannot write what it holds fails');
  });
});
