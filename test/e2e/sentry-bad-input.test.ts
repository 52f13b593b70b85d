// The sentry receiver locked down (projects with keys, a listener of its own, small limits) in a
// real Faultline process, fed what broken clients, proxies and attackers send: each gets its status
// and a message that says what is wrong, the good items beside a bad one are kept, the process
// stays up, and the key never shows in its logs.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../helpers/faultline.js';
import { startFaultlineProcess, type FaultlineProcess } from '../helpers/faultline-process.js';
import { parsePrometheusText, sampleValue } from '../helpers/prom-text.js';

const KEY = 'locked-key-7f3a';
let faultline: FaultlineProcess;
let sentry: string;
let admin: string;
before(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'faultline-sentry-bad-'));
  faultline = await startFaultlineProcess(`
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } }
  sentry/locked:
    endpoint: 127.0.0.1:0
    max_envelope_size: 256KiB
    max_event_size: 64KiB
    projects:
      - { id: 7, keys: [${KEY}], service: shop-locked, environment: prod }
processors:
  identity: { settle_time: 0s }
exporters:
  groups: { flush_interval: 100ms }
  prometheus: {}
service:
  data_dir: ${dataDir}
  pipelines:
    traces: { receivers: [otlp, sentry/locked], processors: [identity], exporters: [groups, prometheus] }
    logs: { receivers: [otlp, sentry/locked], processors: [identity], exporters: [groups, prometheus] }
  telemetry:
    metrics: { address: 127.0.0.1:0 }
`);
  sentry = `http://127.0.0.1:${faultline.addresses['sentry/locked']!.port}`;
  admin = `http://127.0.0.1:${faultline.addresses.admin!.port}`;
});
after(async () => {
  faultline.child.kill('SIGTERM');
  assert.equal(await faultline.exited, 0);
});

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const event = (message: string) => ({ event_id: undefined, level: 'error', exception: { values: [{ type: 'ValueError', value: message }] } });
const eventItem = (message: string) => `${line({ type: 'event' })}${line(event(message))}`;

async function send(body: string | Buffer, options: { project?: number; key?: string | null; headers?: Record<string, string> } = {}) {
  const { project = 7, key = KEY } = options;
  const query = key === null ? '' : `?sentry_key=${key}`;
  const response = await fetch(`${sentry}/api/${project}/envelope/${query}`, { method: 'POST', body, headers: options.headers });
  return { status: response.status, body: (await response.json()) as { id?: string; detail?: string }, headers: response.headers };
}

async function metric(name: string, labels: Record<string, string>): Promise<number | undefined> {
  return sampleValue(parsePrometheusText(await (await fetch(`${admin}/metrics`)).text()), name, labels);
}

describe('the sentry receiver, locked to its projects, against bad input', () => {
  it('answers a body that is not an envelope with 400 and says so', async () => {
    const reply = await send('hello, this is not an envelope');
    assert.equal(reply.status, 400);
    assert.match(reply.body.detail!, /not a Sentry envelope: its first line is not a JSON object/);
  });

  it('keeps the good event before a truncated item, and counts the truncated one', async () => {
    const reply = await send(`{}\n${eventItem('good before a truncated item')}${line({ type: 'event', length: 4000 })}{"exception":`);
    assert.equal(reply.status, 200);
    assert.match(reply.body.id!, /^[0-9a-f]{32}$/);
    assert.equal(await metric('faultline_sentry_rejected_items_total', { receiver: 'sentry/locked', reason: 'truncated' }), 1);
  });

  it('keeps the item after one whose length lies', async () => {
    const lying = JSON.stringify(event('never read'));
    const reply = await send(`{}\n${line({ type: 'event', length: lying.length + 40 })}${lying}\n${eventItem('good after a lying length')}`);
    assert.equal(reply.status, 200);
    assert.equal(await metric('faultline_sentry_rejected_items_total', { receiver: 'sentry/locked', reason: 'bad_length' }), 1);
  });

  it('stops a gzip bomb at max_envelope_size with 413, without inflating it whole', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    assert.ok(bomb.length < 256 * 1024);
    const reply = await send(bomb, { headers: { 'content-encoding': 'gzip' } });
    assert.equal(reply.status, 413);
    assert.match(reply.body.detail!, /inflates to more than 262144 bytes/);
  });

  it('refuses an event past max_event_size with 413 when it is alone, and keeps a good one beside it', async () => {
    const huge = `${line({ type: 'event' })}${line(event('x'.repeat(70 * 1024)))}`;
    const alone = await send(`{}\n${huge}`);
    assert.equal(alone.status, 413);
    assert.match(alone.body.detail!, /max_event_size is 65536/);
    const beside = await send(`{}\n${huge}${eventItem('good beside a huge event')}`);
    assert.equal(beside.status, 200);
    assert.equal(await metric('faultline_sentry_rejected_items_total', { receiver: 'sentry/locked', reason: 'too_large' }), 2);
  });

  it('refuses an event nested too deep to be written out, alone, and keeps the good one after it', async () => {
    const depth = 30_000;
    const nested = `{"message":"never stored","request":{"data":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const reply = await send(`{}\n${line({ type: 'event' })}${nested}\n${eventItem('good after a deeply nested event')}`);
    assert.equal(reply.status, 200);
    assert.equal(await metric('faultline_sentry_rejected_items_total', { receiver: 'sentry/locked', reason: 'invalid_payload' }), 1);
  });

  it('takes bodies compressed with br and deflate, and refuses one past max_envelope_size before inflating it', async () => {
    const body = Buffer.from(`{}\n${eventItem('good in a br body')}`);
    assert.equal((await send(brotliCompressSync(body), { headers: { 'content-encoding': 'br' } })).status, 200);
    assert.equal((await send(deflateSync(Buffer.from(`{}\n${eventItem('good in a deflate body')}`)), { headers: { 'content-encoding': 'deflate' } })).status, 200);
    const tooLarge = await send(Buffer.alloc(300 * 1024, 0x20));
    assert.equal(tooLarge.status, 413);
    assert.match(tooLarge.body.detail!, /the limit is 262144 bytes/);
  });

  it('answers a browser preflight for the envelope endpoint', async () => {
    const response = await fetch(`${sentry}/api/7/envelope/`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-sentry-auth' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://shop.example.com');
    assert.equal(response.headers.get('access-control-allow-headers'), 'content-type, x-sentry-auth');
  });

  it('answers an unknown project with 403, a missing or wrong key with 401, each saying which', async () => {
    const unknown = await send(eventItem('never stored'), { project: 9 });
    assert.equal(unknown.status, 403);
    assert.match(unknown.body.detail!, /Sentry project 9 is not configured here/);
    const wrong = await send(`{}\n${eventItem('never stored')}`, { key: 'guessed' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.detail!, /the Sentry key is not a key of project 7/);
    const missing = await send(`{}\n${eventItem('never stored')}`, { key: null });
    assert.equal(missing.status, 401);
    assert.match(missing.body.detail!, /no Sentry key/);
    assert.equal(await metric('faultline_receiver_refused_items_total', { receiver: 'sentry/locked', transport: 'http', signal: 'traces', reason: 'unauthorized' }), 3);
  });

  it("takes the key from the envelope's dsn when the request carries none", async () => {
    const reply = await send(`${line({ dsn: `http://${KEY}@faultline.example/7` })}${eventItem('good with the key in its dsn')}`, { key: null });
    assert.equal(reply.status, 200);
  });

  it('answers other paths with 404 and other methods with 405', async () => {
    assert.equal((await fetch(`${sentry}/api/7/minidump/`, { method: 'POST', body: '{}' })).status, 404);
    const get = await fetch(`${sentry}/api/7/envelope/`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
  });

  it('stays up, stored exactly the good events, and never logged the key', async () => {
    assert.equal(faultline.child.exitCode, null);
    let titles: string[] = [];
    await eventually(async () => {
      const groups = (await (await fetch(`${admin}/api/v1/groups?service=shop-locked`)).json()) as { groups: { title: string; count: number }[] };
      titles = groups.groups.map((group) => `${group.title} ×${group.count}`).sort();
      return titles.length === 7;
    }, 250);
    assert.deepEqual(titles, [
      'ValueError: good after a deeply nested event ×1',
      'ValueError: good after a lying length ×1',
      'ValueError: good before a truncated item ×1',
      'ValueError: good beside a huge event ×1',
      'ValueError: good in a br body ×1',
      'ValueError: good in a deflate body ×1',
      'ValueError: good with the key in its dsn ×1',
    ]);
    assert.ok(!JSON.stringify(faultline.logs).includes(KEY), 'the key shows in the logs');
  });
});
