// Alert state in storage (a `documents` row) across a restart, on a real SQLite database: what is
// saved is what the next evaluator restores, and the state file of an older Faultline is imported once.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createStateStore, legacyStateFile, stateDocument } from '../../src/alert/state-store.js';
import type { Storage } from '../../src/storage/storage.js';
import { sqliteStorage } from '../helpers/storage.js';
import { createLogger } from '../../src/internal/logger.js';
import { ManualClock } from '../../src/internal/clock.js';
import { harness, HOUR, MINUTE, SECOND, sendErrors, type Harness } from './alert-fixtures.js';

function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', destination), lines };
}

const RULES = {
  evaluation_interval: '1m',
  rules: [
    { name: 'busy', type: 'threshold', threshold: 10, window: '5m', cooldown: '1h', repeat: 'cooldown', notify_resolved: true },
    { name: 'new-errors', type: 'new_group' },
  ],
};

const storeOn = (storage: Storage, logger = recordingLogger().logger, importFile?: string) =>
  createStateStore({ storage, name: stateDocument('alerts'), logger, importFile });

/** Saves `h`'s state into `storage`, closes it, then builds a second evaluator from the reopened file at the same clock time. */
async function restart(h: Harness, storage: Storage & { dir: string }): Promise<Harness> {
  await storeOn(storage).save(() => h.evaluator.persisted(h.clock.now()));
  await storage.close();
  const reopened = await sqliteStorage({ dir: storage.dir });
  const restarted = harness(RULES, new ManualClock(h.clock.now()));
  const saved = await storeOn(reopened).load(restarted.clock.now());
  assert.ok(saved !== null);
  restarted.evaluator.restore(saved, restarted.clock.now());
  return restarted;
}

describe('alert state across a restart', () => {
  it('neither re-fires nor forgets: the incident stays firing and its cooldown holds', async () => {
    const storage = await sqliteStorage();
    const before = harness(RULES);
    sendErrors(before, 20);
    before.tickAfter(SECOND);
    const busyBefore = before.sink.sent.filter((n) => n.rule === 'busy');
    assert.equal(busyBefore.length, 1);

    const after = await restart(before, storage);
    const busy = after.evaluator.view().find((v) => v.rule.name === 'busy')!;
    assert.equal(busy.groups[0].state, 'firing');
    assert.equal(busy.groups[0].cooldownUntil, busyBefore[0].startsAt + HOUR);
    after.tickAfter(MINUTE);
    assert.equal(after.sink.sent.length, 0, 'an empty window just after the restart does not resolve the incident');
    for (let minute = 0; minute < 30; minute++) {
      sendErrors(after, 20);
      after.tickAfter(MINUTE);
    }
    assert.equal(after.sink.sent.length, 0, 'no re-fire inside the cooldown');
    for (let minute = 0; minute < 31; minute++) {
      sendErrors(after, 20);
      after.tickAfter(MINUTE);
    }
    assert.deepEqual(after.sink.sent.map((n) => [n.rule, n.state]), [['busy', 'firing']], 'the cooldown that started before the restart ran out');
  });

  it('remembers which errors were new, so they are not new again', async () => {
    const before = harness(RULES);
    sendErrors(before, 1, { type: 'KeyError' });
    assert.equal(before.sink.sent.length, 1);
    const after = await restart(before, await sqliteStorage());
    sendErrors(after, 1, { type: 'KeyError' });
    sendErrors(after, 1, { type: 'ValueError' });
    assert.deepEqual(after.sink.sent.map((n) => n.labels.exception_type), ['ValueError']);
  });

  it('keeps one row, the newest state, however many saves overlap', async () => {
    const storage = await sqliteStorage();
    const h = harness(RULES);
    const store = createStateStore({ storage, name: stateDocument('alerts/ops'), logger: recordingLogger().logger });
    let saved = 0;
    await Promise.all([1, 2, 3].map(() => store.save(() => ({ ...h.evaluator.persisted(h.clock.now()), savedAt: ++saved }))));
    const rows = await storage.read((sql) => sql.all<{ name: string; body: string }>('SELECT name, body FROM documents'));
    assert.deepEqual(rows.map((row) => row.name), ['alerts/alerts/ops/state']);
    assert.equal(JSON.parse(rows[0]!.body).savedAt, saved, 'the last state asked for is the one stored');
    assert.ok(saved <= 2, `overlapping saves are coalesced (${saved} writes for 3 saves)`);
  });

  it('keeps a corrupt row aside, logs it and starts empty', async () => {
    const storage = await sqliteStorage();
    await storage.transaction((sql) => sql.run("INSERT INTO documents (name, body, updated_ms) VALUES ('alerts/alerts/state', '{\"version\": 1, \"rules\": [tru', 1)"));
    const { logger, lines } = recordingLogger();
    assert.equal(await storeOn(storage, logger).load(1234), null);
    const names = await storage.read((sql) => sql.all<{ name: string }>('SELECT name FROM documents'));
    assert.deepEqual(names.map((row) => row.name), ['alerts/alerts/state.corrupt-1234']);
    assert.ok(lines.some((line) => line.level === 'warn' && /corrupt/.test(String(line.msg))));
  });

  it('imports the state file of an older Faultline once, renaming it, so a restart after the upgrade neither re-fires nor forgets', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'faultline-alerts-'));
    const before = harness(RULES);
    sendErrors(before, 20);
    before.tickAfter(SECOND);
    await mkdir(path.join(dataDir, 'alerts'));
    const file = legacyStateFile(dataDir, 'alerts');
    await writeFile(file, JSON.stringify(before.evaluator.persisted(before.clock.now())));
    const storage = await sqliteStorage({ dir: dataDir });
    const { logger, lines } = recordingLogger();
    const saved = await storeOn(storage, logger, file).load(5678);
    assert.ok(saved !== null);
    assert.deepEqual(await readdir(path.join(dataDir, 'alerts')), ['alerts.state.json.imported-5678']);
    assert.ok(lines.some((line) => /imported/.test(String(line.msg))));
    const after = harness(RULES, new ManualClock(before.clock.now()));
    after.evaluator.restore((await storeOn(storage, logger, file).load(9999))!, after.clock.now());
    assert.equal(after.evaluator.view()[0]!.groups[0]!.state, 'firing', 'the imported row is what the next start loads');
    sendErrors(after, 20);
    after.tickAfter(MINUTE);
    assert.equal(after.sink.sent.length, 0, 'no re-fire after the import');
  });

  it('sets a corrupt state file of an older Faultline aside and starts empty', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'faultline-alerts-'));
    await mkdir(path.join(dataDir, 'alerts'));
    await writeFile(legacyStateFile(dataDir, 'alerts'), '{"version": 1, "rules": [tru');
    const storage = await sqliteStorage({ dir: dataDir });
    assert.equal(await storeOn(storage, recordingLogger().logger, legacyStateFile(dataDir, 'alerts')).load(1234), null);
    assert.deepEqual(await readdir(path.join(dataDir, 'alerts')), ['alerts.state.json.corrupt-1234']);
  });

  it('forgets the state of a rule whose condition changed', async () => {
    const storage = await sqliteStorage();
    const before = harness(RULES);
    sendErrors(before, 20);
    before.tickAfter(SECOND);
    await storeOn(storage).save(() => before.evaluator.persisted(before.clock.now()));
    const changed = harness({ ...RULES, rules: [{ ...RULES.rules[0], threshold: 50 }, RULES.rules[1]] });
    changed.evaluator.restore((await storeOn(storage).load(0))!, changed.clock.now());
    assert.deepEqual(changed.evaluator.view()[0].groups, []);
  });
});
