// Two replicas on one manual clock, each an evaluator behind an HA gate on a shared lease_dir, fed
// the same error events: wired as alerts-exporter.ts wires them, with recording sinks.

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createAlertMetrics } from '../../src/alert/alert-metrics.js';
import { newGroupState } from '../../src/alert/alert-state.js';
import { createEvaluator, type Evaluator } from '../../src/alert/evaluator.js';
import { adoptNotified } from '../../src/alert/ha/adopt-notified.js';
import { createHaGate, type HaGate } from '../../src/alert/ha/ha-gate.js';
import { ManualClock } from '../../src/internal/clock.js';
import { createLogger } from '../../src/internal/logger.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { alertsConfig, decodeAlerts, errorEvent, extracted, metricValue, MINUTE, RecordingSink } from './alert-fixtures.js';

const RULES = {
  evaluation_interval: '1m',
  rules: [{ name: 'busy', type: 'threshold', threshold: 10, window: '5m', cooldown: '1h', notify_resolved: true }],
};

function replica(name: string, leaseDir: string, clock: ManualClock) {
  const config = alertsConfig({ ...RULES, ha: { lease_dir: leaseDir, replica: name } });
  const sink = new RecordingSink();
  const registry = createRegistry({ defaultMetrics: false });
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger('info', destination);
  const gate: HaGate = createHaGate({
    config: config.ha!,
    exporterId: 'alerts',
    sink,
    clock,
    registry,
    logger,
    onTakeover: (state, now) => evaluator.adopt(state, now),
  });
  const evaluator: Evaluator = createEvaluator({ config, sink: gate.sink, clock, metrics: createAlertMetrics(registry), channels: [] });
  const share = () => (gate.isLeader(clock.now()) ? gate.share(() => evaluator.persisted(clock.now())) : Promise.resolve());
  return {
    config,
    sink,
    registry,
    logs,
    gate,
    errors(count: number, service = 'checkout') {
      evaluator.consume(extracted(Array.from({ length: count }, () => errorEvent({ service }))));
    },
    /** What the exporter does every evaluation_interval. */
    async evaluate() {
      if (await gate.beforeEvaluation(clock.now())) await share();
      evaluator.tick(clock.now());
      await share();
    },
  };
}

async function leaseDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'faultline-ha-'));
}

describe('alerts HA', () => {
  it('defaults the lease to three evaluation intervals and the replica to hostname-pid', async () => {
    const { config } = replica('a', await leaseDir(), new ManualClock());
    assert.equal(alertsConfig({ ...RULES, ha: { lease_dir: '/shared' } }).ha?.leaseDurationMs, 3 * MINUTE);
    assert.match(alertsConfig({ ...RULES, ha: { lease_dir: '/shared' } }).ha?.replica ?? '', new RegExp(`-${process.pid}$`));
    assert.equal(config.ha?.replica, 'a');
  });

  it('refuses a lease that would lapse between two evaluations, and an ha block without lease_dir', () => {
    const short = decodeAlerts({ ...RULES, ha: { lease_dir: '/shared', lease_duration: '90s' } });
    assert.deepEqual(short.problems.map((p) => p.path), ['exporters.alerts.ha.lease_duration']);
    const missing = decodeAlerts({ ...RULES, ha: {} });
    assert.deepEqual(missing.problems.map((p) => p.path), ['exporters.alerts.ha.lease_dir']);
  });

  it('sends a notification once when two replicas evaluate the same data', async () => {
    const clock = new ManualClock();
    const dir = await leaseDir();
    const [a, b] = [replica('a', dir, clock), replica('b', dir, clock)];
    await a.evaluate();
    await b.evaluate();
    a.errors(11);
    b.errors(11);
    clock.advance(MINUTE);
    await a.evaluate();
    await b.evaluate();
    assert.equal(a.sink.firing().length, 1);
    assert.equal(b.sink.sent.length, 0);
    assert.equal(await metricValue(b.registry, 'faultline_alert_notifications_suppressed_total', { rule: 'busy', reason: 'not_leader' }), 1);
    assert.equal(await metricValue(a.registry, 'faultline_alert_leader', { exporter: 'alerts' }), 1);
    assert.equal(await metricValue(b.registry, 'faultline_alert_leader', { exporter: 'alerts' }), 0);
    assert.equal(b.sink.refreshes.length, 0, 'a follower does not refresh mirrored channels either');
  });

  it('takes over after the lease expires without re-announcing what the old leader sent, and sends what it never did', async () => {
    const clock = new ManualClock();
    const dir = await leaseDir();
    const [a, b] = [replica('a', dir, clock), replica('b', dir, clock)];
    await a.evaluate();
    await b.evaluate();
    a.errors(11);
    b.errors(11);
    clock.advance(MINUTE);
    await a.evaluate();
    await b.evaluate();
    assert.equal(a.sink.firing().length, 1);
    // a stops without a word; payments starts failing while a's lease still runs: b only suppresses it.
    b.errors(11, 'payments');
    for (let minute = 0; minute < 3; minute++) {
      clock.advance(MINUTE);
      await b.evaluate();
      if (minute < 2) assert.equal(b.sink.sent.length, 0);
    }
    assert.ok(b.gate.isLeader(clock.now()));
    assert.deepEqual(
      b.sink.firing().map((n) => n.labels.service),
      ['payments'],
    );
    // Both incidents carry on at b: when they resolve, b sends their resolves (checkout's too).
    clock.advance(2 * MINUTE);
    await b.evaluate();
    assert.deepEqual(b.sink.resolved().map((n) => n.labels.service).sort(), ['checkout', 'payments']);
  });

  it('notifies without the lease when lease_dir cannot be used, and logs it', async () => {
    const dir = await leaseDir();
    const notADirectory = path.join(dir, 'file');
    await writeFile(notADirectory, '');
    const clock = new ManualClock();
    const a = replica('a', notADirectory, clock);
    await a.evaluate();
    a.errors(11);
    clock.advance(MINUTE);
    await a.evaluate();
    assert.equal(a.sink.firing().length, 1);
    assert.ok(a.logs.some((line) => line.level === 'error' && String(line.msg).includes('lease directory cannot be used')), JSON.stringify(a.logs));
    assert.ok((await metricValue(a.registry, 'faultline_alert_lease_errors_total', { exporter: 'alerts' }))! >= 1);
  });
});

describe('adopting the old leader’s notifications', () => {
  const firing = (overrides: Partial<ReturnType<typeof newGroupState>>) => ({ ...newGroupState('k', {}), state: 'firing' as const, ...overrides });

  it('counts an incident the old leader announced as announced, with its cooldown', () => {
    const mine = firing({ startsAt: 2000, notified: true, cooldownUntil: 9000 });
    assert.equal(adoptNotified(mine, firing({ startsAt: 1000, notified: true, lastNotifiedAt: 1000, cooldownUntil: 5000 })), null);
    assert.deepEqual([mine.notified, mine.cooldownUntil, mine.lastNotifiedAt], [true, 5000, 1000]);
  });

  it('announces again an incident the old leader did not know', () => {
    const mine = firing({ notified: true, cooldownUntil: 9000 });
    adoptNotified(mine, undefined);
    assert.deepEqual([mine.notified, mine.cooldownUntil], [false, 0]);
  });

  it('treats a fire after the old leader’s resolve as a new incident under its cooldown', () => {
    const mine = firing({ startsAt: 7000, notified: true });
    adoptNotified(mine, { ...firing({ notified: true, cooldownUntil: 8000 }), state: 'resolved', endsAt: 6000 });
    assert.deepEqual([mine.notified, mine.cooldownUntil], [false, 8000]);
  });

  it('owes the resolve of an incident the old leader announced and this replica saw end', () => {
    const mine = { ...firing({ notified: true }), state: 'resolved' as const, endsAt: 5000 };
    assert.equal(adoptNotified(mine, firing({ notified: true })), 'resolved');
  });
});
