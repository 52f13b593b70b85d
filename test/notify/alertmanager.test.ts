import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/internal/clock.js';
import { startAlertmanager, type RunningAlertmanager } from './helpers/alertmanager.js';
import { FAST, GROUP, firing, resolved, settle, startPipeline, type TestPipeline } from './helpers/notifications.js';

const INTERVAL_MS = 10_000;

describe('the alertmanager channel, against two real Alertmanagers (an HA pair)', () => {
  let first: RunningAlertmanager;
  let second: RunningAlertmanager;
  let faultline: TestPipeline;
  // Alertmanager compares endsAt with its own clock, so the injected clock starts at real time.
  const clock = new ManualClock(Date.now());
  const alert = firing({
    channels: ['am'],
    startsAt: clock.now() - 60_000,
    labels: { service: 'checkout', environment: 'prod', 'exception.type': 'TypeError' },
    group: GROUP,
  });

  /** The Faultline alert as one Alertmanager shows it, once it shows it. */
  async function shown(am: RunningAlertmanager, check: (found: any) => boolean = () => true): Promise<any> {
    let found: any;
    for (let attempt = 0; attempt < 100; attempt++) {
      found = (await am.alerts()).find((a) => a.labels.alertname === alert.rule && a.labels.service === 'checkout');
      if (found && check(found)) return found;
      await settle(50);
    }
    throw new Error(`Alertmanager ${am.url} does not show the alert as expected: ${JSON.stringify(found)}`);
  }

  before(async () => {
    [first, second] = await Promise.all([startAlertmanager(), startAlertmanager()]);
    faultline = await startPipeline(
      { am: { type: 'alertmanager', urls: [first.url, `${second.url}/`], generator_url: 'http://faultline.example:9464/api/v1/alerts', ...FAST } },
      { clock, refreshIntervalMs: INTERVAL_MS },
    );
  });
  after(async () => {
    await faultline?.stop();
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it('posts the firing alert to every Alertmanager, with labels, annotations (the error group too), times and generatorURL', async () => {
    faultline.pipeline.sink.send(alert);
    for (const am of [first, second]) {
      const found = await shown(am);
      assert.equal(found.labels.severity, 'high');
      assert.equal(found.labels.exception_type, 'TypeError');
      assert.equal(found.annotations.summary, 'More than 50 errors in 1m on checkout');
      assert.equal(found.annotations.trace_id, '5b8efff798038103d269b633813fc60c');
      assert.equal(found.annotations.group_id, GROUP.id);
      assert.equal(found.annotations.group_url, GROUP.url);
      assert.equal(found.labels.group_id, undefined, 'not a label: a merge would make it another alert');
      assert.equal(Date.parse(found.startsAt), alert.startsAt);
      assert.equal(Date.parse(found.endsAt), clock.now() + 3 * INTERVAL_MS);
      assert.equal(found.generatorURL, 'http://faultline.example:9464/api/v1/alerts?rule=checkout-errors');
      assert.equal(found.status.state, 'active');
    }
  });

  it('re-sends firing alerts on every refresh with endsAt three intervals ahead', async () => {
    clock.advance(INTERVAL_MS);
    faultline.pipeline.sink.refresh([alert]);
    const expected = clock.now() + 3 * INTERVAL_MS;
    for (const am of [first, second]) await shown(am, (found) => Date.parse(found.endsAt) === expected);
    assert.ok(
      (await faultline.metric('faultline_alert_notifications_total', { channel: 'am', outcome: 'refreshed' })) >= 1,
    );
  });

  it('resolves the alert in every Alertmanager with endsAt = now', async () => {
    clock.set(Date.now());
    faultline.pipeline.sink.send(resolved(alert, clock.now()));
    for (const am of [first, second]) {
      const gone = async () => {
        const found = (await am.alerts()).find((a) => a.labels.alertname === alert.rule);
        return found === undefined || Date.parse(found.endsAt) <= Date.now();
      };
      let ok = false;
      for (let attempt = 0; attempt < 100 && !ok; attempt++) {
        ok = await gone();
        if (!ok) await settle(50);
      }
      assert.ok(ok, `${am.url} still shows the alert as firing`);
    }
  });
});
