// promtool, the real one from Debian's prometheus package, on what Faultline ships: its /metrics
// after real SDK traffic, the rules file, the rules' unit tests and the example scrape config.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { familiesWithPrefix, REPO_ROOT, RULES_FILE, RULES_TEST_FILE, runPromtool } from '../helpers/prometheus.js';
import { sumSamples } from '../helpers/prom-text.js';
import { logsProtobuf, tracesProtobuf } from '../helpers/sdk-payloads.js';

describe('promtool check metrics on /metrics after traffic', () => {
  let running: RunningFaultline;
  let text: string;
  before(async () => {
    running = await startFaultline();
    const post = (path: string, body: Buffer) =>
      fetch(`${running.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    assert.equal((await post('/v1/traces', await tracesProtobuf('shop', 3, 2))).status, 200);
    assert.equal((await post('/v1/logs', await logsProtobuf('shop', 2))).status, 200);
    assert.equal((await post('/v1/traces', Buffer.from([0xff, 0xff]))).status, 400);
    await eventually(async () => sumSamples(await running.scrape(), 'faultline_errors_total') === 5);
    text = await running.scrape();
  });
  after(async () => {
    await running.stop();
  });

  it('finds no problem in any faultline_* metric', async () => {
    const faultlineOnly = familiesWithPrefix(text, 'faultline_');
    for (const family of ['faultline_errors_total', 'faultline_span_duration_seconds', 'faultline_receiver_decode_errors_total']) {
      assert.match(faultlineOnly, new RegExp(`^${family}`, 'm'), `${family} has samples`);
    }
    const result = await runPromtool(['check', 'metrics'], faultlineOnly);
    assert.equal(result.code, 0, `promtool check metrics: ${result.stdout}${result.stderr}`);
    assert.equal(`${result.stdout}${result.stderr}`.trim(), '');
  });

  it('finds no problem in the whole exposition, Node.js and process metrics included', async () => {
    const result = await runPromtool(['check', 'metrics'], text);
    assert.equal(result.code, 0, `promtool check metrics: ${result.stdout}${result.stderr}`);
    assert.equal(`${result.stdout}${result.stderr}`.trim(), '');
  });
});

describe('promtool on the Prometheus rules and config in deploy/prometheus', () => {
  it('accepts the rules file', async () => {
    const result = await runPromtool(['check', 'rules', RULES_FILE]);
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /SUCCESS: \d+ rules found/);
  });

  it('passes the rules unit tests', async () => {
    const result = await runPromtool(['test', 'rules', RULES_TEST_FILE]);
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /SUCCESS/);
  });

  it('accepts the example scrape config and the rules it loads', async () => {
    const result = await runPromtool(['check', 'config', join(REPO_ROOT, 'deploy', 'prometheus', 'prometheus.yml')]);
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /SUCCESS: 1 rule files found/);
  });
});
