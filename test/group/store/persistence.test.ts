import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createGroupsExporter } from '../../../src/group/groups-exporter.js';
import { createGroupSignals, type GroupSignal } from '../../../src/group/signals.js';
import { GROUPS_EXPORTER_DEFAULTS } from '../../../src/group/store/config.js';
import { groupsFilePath, loadGroups, saveGroups } from '../../../src/group/store/persistence.js';
import { ManualClock } from '../../../src/internal/clock.js';
import { createLogger } from '../../../src/internal/logger.js';
import { createRegistry } from '../../../src/metrics/registry.js';
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js';
import { eventOf, groupOf, storeUnderTest } from './store-fixtures.js';

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
function exporterOn(dataDir: string) {
  const registry = createRegistry({ defaultMetrics: false });
  const signals = createGroupSignals();
  const emitted: GroupSignal[] = [];
  signals.subscribe((signal) => emitted.push(signal));
  const { logger, lines } = capturedLogger();
  const exporter = createGroupsExporter(
    { type: 'groups', id: 'groups', ...GROUPS_EXPORTER_DEFAULTS },
    {
      registry,
      selfMetrics: createSelfMetrics(registry),
      clock: new ManualClock(),
      logger,
      admin: { route: () => {} },
      dataDir,
      groupSignalsOf: () => signals,
    },
  );
  return { exporter, emitted, lines, registry };
}

describe('the error groups file', () => {
  it('round-trips every field of every group, in update order', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faultline-groups-'));
    const file = groupsFilePath(dir, 'groups');
    const { store } = storeUnderTest();
    store.record([eventOf('a', { serviceVersion: '1.2', attributes: new Map([['user.plan', 'pro']]) }), eventOf('b')]);
    store.setState(groupOf(store, 'a')!.id, 'resolved');
    store.record([eventOf('b')]);
    await saveGroups(file, store.groups(), 1);
    const { logger } = capturedLogger();
    const loaded = await loadGroups(file, logger, 2);
    assert.deepEqual(loaded, JSON.parse(JSON.stringify([...store.groups()])));
    assert.deepEqual(loaded.map((group) => group.fingerprint), ['a', 'b']);
    assert.deepEqual(await readdir(dir), ['groups.json'], 'no temporary file is left behind');
  });

  it('keeps the ids merged into a group, so they still answer after a restart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faultline-groups-'));
    const file = groupsFilePath(dir, 'groups');
    const { store } = storeUnderTest();
    store.record([eventOf('a'), eventOf('b')]);
    const [a, b] = ['a', 'b'].map((fingerprint) => groupOf(store, fingerprint)!);
    store.merge(b!.id, a!.id);
    await saveGroups(file, store.groups(), 1);
    const restarted = storeUnderTest().store;
    restarted.restore(await loadGroups(file, capturedLogger().logger, 2));
    assert.equal(restarted.mergedInto(b!.id)?.id, a!.id);
  });

  it('reads a file written before merged ids were kept', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faultline-groups-'));
    const file = groupsFilePath(dir, 'groups');
    const { store } = storeUnderTest();
    store.record([eventOf('a')]);
    const old = [...store.groups()].map(({ mergedIds: _dropped, ...rest }) => rest);
    await writeFile(file, JSON.stringify({ format: 'faultline.groups', version: 1, savedAtMs: 1, groups: old }));
    const loaded = await loadGroups(file, capturedLogger().logger, 2);
    assert.deepEqual(loaded.map((group) => group.mergedIds), [[]]);
  });

  it('names one file per groups exporter id', () => {
    assert.equal(groupsFilePath('/data', 'groups'), path.join('/data', 'groups.json'));
    assert.equal(groupsFilePath('/data', 'groups/edge'), path.join('/data', 'groups-edge.json'));
  });

  it('starts empty when there is no file yet', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faultline-groups-'));
    assert.deepEqual(await loadGroups(path.join(dir, 'groups.json'), capturedLogger().logger, 1), []);
  });

  for (const [name, text] of [
    ['truncated JSON', '{"format":"faultline.groups","version":1,"groups":[{"id":'],
    ['a group with a wrong field', '{"format":"faultline.groups","version":1,"groups":[{"id":7}]}'],
    ['another program\'s file', '{"hello":"world"}'],
  ]) {
    it(`moves a corrupt file (${name}) aside, logs it and starts empty`, async () => {
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

describe('a groups exporter restarted on the same data_dir', () => {
  it('keeps its groups and does not announce them as new again', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faultline-groups-'));
    const first = exporterOn(dir);
    await first.exporter.component.start();
    first.exporter.consumer.consume({ events: [eventOf('a'), eventOf('a'), eventOf('b')], timings: [], skippedExceptions: 0 });
    await first.exporter.component.shutdown();
    assert.equal(first.emitted.length, 2);

    const second = exporterOn(dir);
    await second.exporter.component.start();
    assert.equal(second.exporter.store.size, 2);
    assert.equal(groupOf(second.exporter.store, 'a')!.count, 2);
    second.exporter.consumer.consume({ events: [eventOf('a'), eventOf('c')], timings: [], skippedExceptions: 0 });
    assert.deepEqual(second.emitted.map((signal) => signal.event.grouping?.fingerprint), ['c']);
    await second.exporter.component.shutdown();
  });

  it('does not overwrite the file when nothing changed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faultline-groups-'));
    const { exporter } = exporterOn(dir);
    await exporter.component.start();
    await exporter.component.shutdown();
    assert.deepEqual(await readdir(dir), []);
  });

  it('counts and logs a failed write, and keeps running', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faultline-groups-'));
    const blocked = path.join(dir, 'not-a-dir');
    await writeFile(blocked, 'a file where the data directory should be');
    const { exporter, lines, registry } = exporterOn(blocked);
    await exporter.component.start();
    exporter.consumer.consume({ events: [eventOf('a')], timings: [], skippedExceptions: 0 });
    await exporter.flush();
    const text = await registry.metrics();
    assert.match(text, /faultline_error_groups_persist_errors_total 1/);
    assert.ok(lines.some((line) => line.level === 'error' && /could not be written/.test(String(line.msg))));
    await exporter.component.shutdown();
  });
});
