// Two replicas on one manual clock, each an evaluator behind an HA gate on one shared storage
// (SQLite here; PostgreSQL in alerts-replicas.test.ts), fed the same error events: wired as
// alerts-exporter.ts wires them, with recording sinks.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newGroupState } from '../../src/alert/alert-state.js';
import { adoptNotified } from '../../src/alert/ha/adopt-notified.js';
import { ManualClock } from '../../src/internal/clock.js';
import { sqliteStorage } from '../helpers/storage.js';
import { alertsConfig, decodeAlerts, metricValue, MINUTE } from './alert-fixtures.js';
import { replica, RULES } from './ha-fixtures.js';

describe('alerts HA', () => {
  it('defaults the lease to three evaluation intervals and the replica to hostname-pid', async () => {
    const { config } = replica('a', await sqliteStorage(), new ManualClock());
    assert.equal(alertsConfig({ ...RULES, ha: {} }).ha?.leaseDurationMs, 3 * MINUTE);
    assert.match(alertsConfig({ ...RULES, ha: {} }).ha?.replica ?? '', new RegExp(`-${process.pid}$`));
    assert.equal(config.ha?.replica, 'a');
  });

  it('refuses a lease that would lapse between two evaluations', () => {
    const short = decodeAlerts({ ...RULES, ha: { lease_duration: '90s' } });
    assert.deepEqual(short.problems.map((p) => p.path), ['exporters.alerts.ha.lease_duration']);
  });

  it('refuses ha.lease_dir, which is gone, saying that the lease now lives in the shared storage', () => {
    const old = decodeAlerts({ ...RULES, ha: { lease_dir: '/shared', replica: 'a' } });
    assert.deepEqual(old.problems.map((p) => p.path), ['exporters.alerts.ha.lease_dir']);
    assert.match(old.problems[0]!.message, /service\.storage/);
    assert.match(old.problems[0]!.message, /postgres/);
  });

  it('sends a notification once when two replicas evaluate the same data', async () => {
    const clock = new ManualClock();
    const storage = await sqliteStorage();
    const [a, b] = [replica('a', storage, clock), replica('b', storage, clock)];
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
    const storage = await sqliteStorage();
    const [a, b] = [replica('a', storage, clock), replica('b', storage, clock)];
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

  it('notifies without the lease when the storage cannot be used, and logs it', async () => {
    const storage = await sqliteStorage();
    await storage.close();
    const clock = new ManualClock();
    const a = replica('a', storage, clock);
    await a.evaluate();
    a.errors(11);
    clock.advance(MINUTE);
    await a.evaluate();
    assert.equal(a.sink.firing().length, 1);
    assert.ok(a.logs.some((line) => line.level === 'error' && String(line.msg).includes('lease cannot be read or written')), JSON.stringify(a.logs));
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
