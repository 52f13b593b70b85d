// End to end with the real Sentry SDKs as clients of a real Faultline process: @sentry/node,
// @sentry/browser (run by Node with its fetch transport) and Debian's sentry-python 1.x, each a
// small app in test/fixtures/sentry-clients whose only setting is the DSN. Every assertion is an
// exact count or value read back from the groups API and /metrics. The sentry receiver runs as the
// bundled config runs it: on the OTLP/HTTP port, no projects configured, project <id> → service
// sentry-<id>.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../helpers/faultline.js';
import { startFaultlineProcess, REPO, type FaultlineProcess } from '../helpers/faultline-process.js';
import { PEERS, requirePeer } from '../helpers/peers.js';
import { parsePrometheusText, sampleValue, sumSamples } from '../helpers/prom-text.js';

const run = promisify(execFile);
const CLIENTS = path.join(REPO, 'test/fixtures/sentry-clients');
const RECORDINGS = path.join(REPO, 'test/fixtures/sentry-sdk');

let faultline: FaultlineProcess;
let ingest: string;
let admin: string;
before(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'faultline-sentry-'));
  faultline = await startFaultlineProcess(`
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } }
  sentry: {}
processors:
  identity: { settle_time: 200ms }
exporters:
  groups: { flush_interval: 100ms }
  prometheus: {}
service:
  data_dir: ${dataDir}
  pipelines:
    traces: { receivers: [otlp, sentry], processors: [identity], exporters: [groups, prometheus] }
    logs: { receivers: [otlp, sentry], processors: [identity], exporters: [groups, prometheus] }
  telemetry:
    metrics: { address: 127.0.0.1:0 }
`);
  ingest = `127.0.0.1:${faultline.addresses['otlp.http']!.port}`;
  admin = `http://127.0.0.1:${faultline.addresses.admin!.port}`;
});
after(async () => {
  faultline.child.kill('SIGTERM');
  assert.equal(await faultline.exited, 0);
});

async function get(pathAndQuery: string): Promise<any> {
  const response = await fetch(`${admin}${pathAndQuery}`);
  assert.equal(response.status, 200, pathAndQuery);
  return response.json();
}

async function metrics(): Promise<ReadonlyMap<string, number>> {
  return parsePrometheusText(await (await fetch(`${admin}/metrics`)).text());
}

/** The service's groups once there are `count` of them and the store holds every event counted. */
async function groupsOf(service: string, count: number, events: number): Promise<any[]> {
  let groups: any[] = [];
  await eventually(async () => {
    groups = (await get(`/api/v1/groups?service=${service}&limit=100`)).groups;
    return groups.length === count && groups.reduce((sum, group) => sum + group.count, 0) === events;
  }, 250);
  return groups;
}

const byTitle = (groups: any[], title: string) => {
  const found = groups.find((group) => group.title === title);
  assert.ok(found !== undefined, `no group titled ${title} among ${groups.map((group) => group.title).join(' | ')}`);
  return found;
};

/** Runs a client app to its end; its DSN is the only thing it is given. */
async function runClient(program: string, script: string, project: number, key = 'public'): Promise<string> {
  const { stdout } = await run(program, [path.join(CLIENTS, script), `http://${key}@${ingest}/${project}`], { timeout: 60_000 });
  return stdout;
}

describe('Sentry SDKs as clients, on the OTLP/HTTP port with no projects configured', () => {
  it('@sentry/node: a caught exception with its cause is one group with the SDK frames and in-app flags, and its PII is scrubbed', async () => {
    const output = await runClient(process.execPath, 'node-client.mjs', 1);
    assert.match(output, /CLOSED true/);
    // exception + message + two fingerprinted errors + the error log line
    const groups = await groupsOf('sentry-1', 4, 5);
    const typeError = byTitle(groups, 'TypeError: user <num> could not be loaded');
    assert.equal(typeError.count, 1);
    assert.equal(typeError.culprit, 'loadUser (node-client)');
    const detail = await get(`/api/v1/groups/${typeError.id}`);
    assert.equal(detail.grouping.method, 'frames');
    const inApp = detail.frames.filter((frame: any) => frame.in_app).map((frame: any) => `${frame.function} ${frame.module}:${frame.line}`);
    // The top-level TypeError's frames, then its cause's (SyntaxError from JSON.parse), outermost call first.
    assert.deepEqual(inApp, ['? node-client:34', 'loadUser node-client:26', '? node-client:34', 'loadUser node-client:24']);
    assert.ok(detail.frames.some((frame: any) => frame.function === 'JSON.parse' && frame.in_app === false));
    assert.ok(detail.frames.some((frame: any) => frame.module === 'node:async_hooks' && frame.in_app === false));

    const [sample] = detail.samples;
    assert.equal(sample.source, 'sentry');
    assert.equal(sample.handled, true);
    assert.equal(sample.release, 'shop@1.4.2');
    assert.equal(sample.environment, 'prod');
    assert.match(sample.trace_id, /^[0-9a-f]{32}$/);
    assert.equal(sample.span_name, 'GET /users/:id');
    assert.equal(sample.http.route, '/users/:id');
    assert.match(sample.stacktrace, /^TypeError: user 42 could not be loaded\n/);
    assert.match(sample.stacktrace, /\nCaused by: SyntaxError: /);
    assert.equal(sample.attributes.tenant, 'acme');
    assert.equal(sample.attributes['user.id'], 'u-42');
    assert.equal(sample.attributes['user.email'], '[email]');
    assert.equal(sample.attributes['client.address'], '[ip]');
    assert.match(sample.attributes['sentry.breadcrumbs'], /login by \[email\]/);
    const everything = JSON.stringify(detail);
    assert.ok(!everything.includes('jane@example.com') && !everything.includes('203.0.113.7'), 'PII left in the group');

    const fingerprinted = byTitle(groups, 'Error: gateway answered <num> for order <num>');
    assert.equal(fingerprinted.count, 2, 'the custom fingerprint keeps both errors in one group');
    assert.equal((await get(`/api/v1/groups/${fingerprinted.id}`)).grouping.method, 'client');
    assert.equal(byTitle(groups, 'Message: cache miss storm').count, 1);
    assert.equal(byTitle(groups, 'Error: payment failed for order o-<num>').count, 1, 'the error log line');

    const scraped = await metrics();
    assert.equal(sumSamples(scraped, 'faultline_errors_total', { service: 'sentry-1' }), 5);
    assert.equal(sampleValue(scraped, 'faultline_stacktraces_unparsed_total', { processor: 'implicit.group' }), 0);
    for (const route of ['/users/:id', '/checkout']) {
      const timed = { service: 'sentry-1', span_name: route, span_kind: 'SPAN_KIND_SERVER', status_code: 'STATUS_CODE_OK' };
      assert.equal(sampleValue(scraped, 'faultline_span_duration_seconds_count', timed), 1, route);
    }
  });

  it('@sentry/browser with its fetch transport: a text/plain envelope, an unhandled error, the user scrubbed', async () => {
    assert.match(await runClient(process.execPath, 'browser-client.mjs', 2), /CLOSED true/);
    const [group] = await groupsOf('sentry-2', 1, 1);
    assert.equal(group.title, "TypeError: Cannot read properties of undefined (reading 'items')", 'the property name is part of the code and stays');
    assert.match(group.culprit, /^renderCart /);
    const detail = await get(`/api/v1/groups/${group.id}`);
    assert.equal(detail.samples[0].handled, false);
    assert.equal(detail.samples[0].attributes['user.email'], '[email]');
    assert.ok(!JSON.stringify(detail).includes('sam@example.com'));
  });

  it('sentry-python 1.x: /store/ with X-Sentry-Auth and gzip, a chained exception, the service tag, a transaction timed', async () => {
    const python = requirePeer(PEERS.sentryPython);
    assert.match(await runClient(python, 'py-client.py', 3), /FLUSHED/);
    const groups = await groupsOf('billing', 2, 2);
    const lookup = byTitle(groups, 'LookupError: invoice total missing');
    assert.equal(lookup.culprit, 'parse_total (__main__)', 'the innermost in-app frame of the innermost cause');
    const detail = await get(`/api/v1/groups/${lookup.id}`);
    const inApp = detail.frames.filter((frame: any) => frame.in_app).map((frame: any) => frame.function);
    // The LookupError raised in load_invoice, then its cause, from where it was caught down to parse_total.
    assert.deepEqual(inApp, ['<module>', 'load_invoice', 'load_invoice', 'parse_total']);
    assert.match(detail.samples[0].stacktrace, /\nCaused by: KeyError: 'total'/);
    assert.equal(detail.samples[0].attributes['user.email'], '[email]');
    assert.equal(detail.samples[0].attributes['client.address'], '[ip]');
    assert.equal(byTitle(groups, 'Message: disk almost full').count, 1);
    const timed = { service: 'billing', span_name: '/invoices/{id}', span_kind: 'SPAN_KIND_SERVER' };
    assert.equal(sumSamples(await metrics(), 'faultline_span_duration_seconds_count', timed), 1);
  });

  it('counts an event once when an SDK sends it again (same event_id), from an envelope or /store/', async () => {
    const envelope = readFileSync(path.join(RECORDINGS, 'node-006-event+attachment.raw'));
    const stored = readFileSync(path.join(RECORDINGS, 'python-001-post.raw'));
    for (let attempt = 0; attempt < 2; attempt++) {
      const first = await fetch(`http://${ingest}/api/4/envelope/?sentry_key=public`, { method: 'POST', body: envelope });
      assert.equal(first.status, 200);
      assert.deepEqual(await first.json(), { id: 'b03b85f647c84405b97bed975ee8e10d' });
      const second = await fetch(`http://${ingest}/api/4/store/`, {
        method: 'POST',
        body: stored,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-sentry-auth': 'Sentry sentry_key=public, sentry_version=7' },
      });
      assert.deepEqual(await second.json(), { id: 'c7a7a58f80cf493fab669144bff92620' });
    }
    const groups = await groupsOf('sentry-4', 2, 2);
    assert.deepEqual(groups.map((group) => group.count), [1, 1]);
    assert.equal(sampleValue(await metrics(), 'faultline_error_records_folded_total', { processor: 'identity', reason: 'duplicate' }), 2);
    const found = await get('/api/v1/events/b03b85f647c84405b97bed975ee8e10d');
    assert.equal(found.type, 'TypeError', "the SDK's event_id finds the event");
  });

  it('answers a browser origin with CORS headers that expose the rate-limit headers', async () => {
    const body = readFileSync(path.join(RECORDINGS, 'browser-001-event.raw'));
    const response = await fetch(`http://${ingest}/api/5/envelope/?sentry_key=public`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://shop.example.com' },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://shop.example.com');
    assert.match(response.headers.get('access-control-expose-headers') ?? '', /x-sentry-rate-limits/);
  });

  it('accepts and counts what it does not store: sessions, attachments, client reports', async () => {
    for (const name of ['node-001-session', 'node2-004-client_report']) {
      const response = await fetch(`http://${ingest}/api/6/envelope/?sentry_key=public`, { method: 'POST', body: readFileSync(path.join(RECORDINGS, `${name}.raw`)) });
      assert.equal(response.status, 200, name);
    }
    const scraped = await metrics();
    assert.ok((sampleValue(scraped, 'faultline_sentry_items_total', { receiver: 'sentry', type: 'session', outcome: 'counted' }) ?? 0) >= 1);
    assert.ok((sampleValue(scraped, 'faultline_sentry_items_total', { receiver: 'sentry', type: 'attachment', outcome: 'counted' }) ?? 0) >= 2);
    assert.ok((sampleValue(scraped, 'faultline_sentry_client_discarded_events_total', { receiver: 'sentry', reason: 'ratelimit_backoff', category: 'error' }) ?? 0) >= 1);
  });
});
