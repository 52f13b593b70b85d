// An upgrade from a Faultline that kept alert state and pending notifications in files under
// data_dir (`alerts/<id>.state.json`, `notifications/<id>.json`): the real server, started on such
// a data_dir, imports both into its storage once and renames the files; the imported incident stays
// firing and quiet (no re-fire), and the imported pending notification is delivered once to a real
// webhook receiver on loopback.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { ManualClock } from '../../src/internal/clock.js';
import { harness, sendErrors, SECOND } from '../alert/alert-fixtures.js';
import { eventually, startFaultline } from '../helpers/faultline.js';
import { post } from '../helpers/http.js';
import { firing } from '../notify/helpers/notifications.js';
import { startReceiver } from '../notify/helpers/receiver.js';

const RULE = { name: 'busy', type: 'threshold', threshold: 10, window: '5m', cooldown: '1h', group_by: ['service'] };

/** `count` failed server spans of checkout, each its own trace (so each its own error). */
function failingSpans(count: number): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: count }, () => ({
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    name: 'POST /pay',
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 5_000_000n),
    status: { code: 2, message: 'card processor unreachable' },
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeSpans: [{ spans }] }] });
}

it('imports the alert state and pending notifications files of an older Faultline once, without re-firing, delivering what was pending once', async () => {
  const receiver = await startReceiver();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'faultline-upgrade-'));
  // What the older Faultline left: a firing, announced incident of `busy`, and one pending delivery.
  const before = harness({ rules: [RULE] }, new ManualClock(Date.now() - 10 * SECOND));
  sendErrors(before, 20);
  before.tickAfter(SECOND);
  assert.equal(before.sink.firing().length, 1);
  mkdirSync(path.join(dataDir, 'alerts'));
  writeFileSync(path.join(dataDir, 'alerts', 'alerts.state.json'), JSON.stringify(before.evaluator.persisted(before.clock.now())));
  const pending = firing({ channels: ['ops'] });
  mkdirSync(path.join(dataDir, 'notifications'));
  writeFileSync(
    path.join(dataDir, 'notifications', 'alerts.json'),
    JSON.stringify({ version: 1, items: [{ channel: 'ops', notification: pending, attempts: 3, notBefore: 0, enqueuedAt: 0 }] }),
  );

  const running = await startFaultline(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  identity: { settle_time: 100ms }
exporters:
  alerts:
    evaluation_interval: 1s
    channels:
      ops: { type: webhook, url: "${receiver.url}/hook" }
    rules:
      - ${JSON.stringify({ ...RULE, channels: ['ops'] })}
service:
  pipelines:
    traces: { receivers: [otlp], processors: [identity], exporters: [alerts] }
  data_dir: ${JSON.stringify(dataDir)}
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`);
  try {
    await eventually(() => receiver.delivered.length >= 1, 250);
    assert.match(readdirSync(path.join(dataDir, 'alerts')).join(), /^alerts\.state\.json\.imported-\d+$/);
    assert.match(readdirSync(path.join(dataDir, 'notifications')).join(), /^alerts\.json\.imported-\d+$/);
    const alerts = (await (await fetch(`${running.adminUrl}/api/v1/alerts`)).json()) as { rules: { name: string; groups: { state: string }[] }[] };
    assert.deepEqual(alerts.rules.find((rule) => rule.name === 'busy')?.groups.map((group) => group.state), ['firing'], 'the imported incident is firing');
    // Errors go on above the threshold for several evaluations: the imported incident stays quiet in
    // its cooldown (without the import it would fire now), and the delivery is not repeated.
    assert.equal((await post(`${running.httpUrl}/v1/traces`, failingSpans(20), { 'content-type': 'application/json' })).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.deepEqual(receiver.delivered.map((request) => request.json().id), [pending.id]);
  } finally {
    await running.stop();
    await receiver.close();
  }
});
