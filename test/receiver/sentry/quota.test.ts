// A project's events_per_minute quota against the real @sentry/node SDK: Faultline runs in this
// process on a manual clock (the quota's minute never turns during the test), the SDK in a child
// process. Past the quota the SDK gets 429 with Retry-After and X-Sentry-Rate-Limits, honours it by
// dropping the next error itself, and reports that drop in its client report.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../../src/internal/clock.js';
import { eventually, startFaultline, type RunningFaultline } from '../../helpers/faultline.js';
import { REPO } from '../../helpers/faultline-process.js';
import { parsePrometheusText, sampleValue } from '../../helpers/prom-text.js';

const run = promisify(execFile);
const clock = new ManualClock(1_700_000_000_000); // 40 s before a minute turns (Unix ms)
let running: RunningFaultline;
before(async () => {
  running = await startFaultline(
    `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } }
  sentry: { events_per_minute: 2 }
processors:
  identity: { settle_time: 0s }
exporters:
  prometheus: {}
service:
  pipelines:
    traces: { receivers: [otlp, sentry], processors: [identity], exporters: [prometheus] }
  telemetry:
    metrics: { address: 127.0.0.1:0 }
`,
    { clock },
  );
});
after(() => running.stop());

async function value(name: string, labels: Record<string, string>): Promise<number | undefined> {
  return sampleValue(parsePrometheusText(await running.scrape()), name, labels);
}

describe("a project's events_per_minute quota", () => {
  it('answers 429 with Retry-After and X-Sentry-Rate-Limits, which the real SDK honours and reports', async () => {
    const dsn = `http://public@${new URL(running.httpUrl).host}/8`;
    const { stdout } = await run(process.execPath, [path.join(REPO, 'test/fixtures/sentry-clients/node-quota-client.mjs'), dsn, '4'], { timeout: 60_000 });
    assert.match(stdout, /SENT 4\nCLOSED true/);
    await eventually(async () => (await value('faultline_sentry_client_discarded_events_total', { receiver: 'sentry', reason: 'ratelimit_backoff', category: 'error' })) === 1);
    const events = { service: 'sentry-8', environment: 'prod', level: 'error', exception_type: 'Error', source: 'sentry' };
    assert.equal(await value('faultline_errors_total', events), 2, 'two events within the quota');
    assert.equal(await value('faultline_sentry_items_total', { receiver: 'sentry', type: 'event', outcome: 'rate_limited' }), 1, 'the third answered 429');
    assert.equal(await value('faultline_sentry_quota_exceeded_total', { receiver: 'sentry', project: '*' }), 1);
    assert.equal(await value('faultline_receiver_refused_items_total', { receiver: 'sentry', transport: 'http', signal: 'traces', reason: 'rate_limited' }), 1);
  });

  it('says how long to wait in both headers, and takes events again once the minute turns', async () => {
    const url = `${running.httpUrl}/api/9/store/?sentry_key=public`;
    const send = (n: number) => fetch(url, { method: 'POST', body: JSON.stringify({ message: `direct ${n}` }) });
    assert.equal((await send(1)).status, 200);
    assert.equal((await send(2)).status, 200);
    const refused = await send(3);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '40');
    assert.equal(refused.headers.get('x-sentry-rate-limits'), '40:error;default;transaction;span:project:quota_exceeded');
    assert.match(((await refused.json()) as { detail: string }).detail, /project 9 used up its quota of 2 events per minute; retry in 40s/);
    clock.advance(40_000);
    assert.equal((await send(4)).status, 200);
  });
});
