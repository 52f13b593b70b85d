import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createStateStore } from '../../src/alert/state-store.js';
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

/** Saves `h`'s state into `dataDir`, then builds a second evaluator from it at the same clock time. */
async function restart(h: Harness, dataDir: string): Promise<Harness> {
  const { logger } = recordingLogger();
  await createStateStore({ dataDir, exporterId: 'alerts', logger }).save(() => h.evaluator.persisted(h.clock.now()));
  const restarted = harness(RULES, new ManualClock(h.clock.now()));
  const saved = await createStateStore({ dataDir, exporterId: 'alerts', logger }).load(restarted.clock.now());
  assert.ok(saved !== null);
  restarted.evaluator.restore(saved, restarted.clock.now());
  return restarted;
}

describe('alert state across a restart', () => {
  it('neither re-fires nor forgets: the incident stays firing and its cooldown holds', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'faultline-alerts-'));
    const before = harness(RULES);
    sendErrors(before, 20);
    before.tickAfter(SECOND);
    const busyBefore = before.sink.sent.filter((n) => n.rule === 'busy');
    assert.equal(busyBefore.length, 1);

    const after = await restart(before, dataDir);
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
    const dataDir = await mkdtemp(path.join(tmpdir(), 'faultline-alerts-'));
    const before = harness(RULES);
    sendErrors(before, 1, { type: 'KeyError' });
    assert.equal(before.sink.sent.length, 1);
    const after = await restart(before, dataDir);
    sendErrors(after, 1, { type: 'KeyError' });
    sendErrors(after, 1, { type: 'ValueError' });
    assert.deepEqual(after.sink.sent.map((n) => n.labels.exception_type), ['ValueError']);
  });

  it('writes atomically, leaving only the state file behind', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'faultline-alerts-'));
    const h = harness(RULES);
    const store = createStateStore({ dataDir, exporterId: 'alerts/ops', logger: recordingLogger().logger });
    await Promise.all([1, 2, 3].map(() => store.save(() => h.evaluator.persisted(h.clock.now()))));
    assert.deepEqual(await readdir(path.join(dataDir, 'alerts')), ['alerts_ops.state.json']);
    assert.equal(JSON.parse(await readFile(store.file, 'utf8')).version, 1);
  });

  it('sets a corrupt file aside, logs it and starts empty', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'faultline-alerts-'));
    await mkdir(path.join(dataDir, 'alerts'));
    await writeFile(path.join(dataDir, 'alerts', 'alerts.state.json'), '{"version": 1, "rules": [tru');
    const { logger, lines } = recordingLogger();
    const store = createStateStore({ dataDir, exporterId: 'alerts', logger });
    assert.equal(await store.load(1234), null);
    assert.deepEqual(await readdir(path.join(dataDir, 'alerts')), ['alerts.state.json.corrupt-1234']);
    assert.ok(lines.some((line) => line.level === 'warn' && /corrupt/.test(String(line.msg))));
  });

  it('forgets the state of a rule whose condition changed', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'faultline-alerts-'));
    const before = harness(RULES);
    sendErrors(before, 20);
    before.tickAfter(SECOND);
    const { logger } = recordingLogger();
    await createStateStore({ dataDir, exporterId: 'alerts', logger }).save(() => before.evaluator.persisted(before.clock.now()));
    const changed = harness({ ...RULES, rules: [{ ...RULES.rules[0], threshold: 50 }, RULES.rules[1]] });
    changed.evaluator.restore((await createStateStore({ dataDir, exporterId: 'alerts', logger }).load(0))!, changed.clock.now());
    assert.deepEqual(changed.evaluator.view()[0].groups, []);
  });
});
