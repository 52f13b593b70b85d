import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/internal/clock.js';
import { startAlertmanager, type RunningAlertmanager } from './helpers/alertmanager.js';
import { FAST, GROUP, firing, resolved, startPipeline, type TestPipeline } from './helpers/notifications.js';

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

  /** The Faultline alert as one Alertmanager shows it (Alertmanager stores an alert before it answers the post). */
  async function shown(am: RunningAlertmanager): Promise<any> {
    const found = (await am.alerts()).find((a) => a.labels.alertname === alert.rule && a.labels.service === 'checkout');
    assert.ok(found, `Alertmanager ${am.url} does not show the alert`);
    return found;
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
    await faultline.pipeline.idle();
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
    await faultline.pipeline.idle();
    const expected = clock.now() + 3 * INTERVAL_MS;
    for (const am of [first, second]) assert.equal(Date.parse((await shown(am)).endsAt), expected, am.url);
    assert.equal(await faultline.metric('faultline_alert_notifications_total', { channel: 'am', outcome: 'refreshed' }), 1);
  });

  it('resolves the alert in every Alertmanager with endsAt = now', async () => {
    clock.set(Date.now());
    faultline.pipeline.sink.send(resolved(alert, clock.now()));
    await faultline.pipeline.idle();
    for (const am of [first, second]) {
      const found = (await am.alerts()).find((a) => a.labels.alertname === alert.rule);
      assert.ok(found === undefined || Date.parse(found.endsAt) <= Date.now(), `${am.url} still shows the alert as firing`);
    }
  });
});
