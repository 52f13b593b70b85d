// Every secret and piece of personal data in the leak corpus, sent through a real Faultline in
// every field a request can carry (span name, route, method, exception type, message and stack
// trace, span and log attributes, log bodies, and the service name, version and environment of the
// resource), must appear nowhere it goes out: the groups API (list and details with samples),
// alert webhooks (new groups, error thresholds and span latency grouped by exception type and span
// name), /metrics (every label value) and its own logs ("alert state changed" carries the labels).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { eventually, startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { post } from '../helpers/http.js';

interface LeakCase {
  readonly case: string;
  readonly text: string;
  readonly secrets: readonly string[];
}

const corpus: LeakCase[] = ['secrets.json', 'personal-data.json'].flatMap(
  (file) => JSON.parse(readFileSync(new URL(`../../../test/fixtures/leaks/${file}`, import.meta.url), 'utf8')) as LeakCase[],
);

const webhookBodies: string[] = [];
let hook: http.Server;
let running: RunningFaultline;

before(async () => {
  hook = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      webhookBodies.push(body);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  running = await startFaultline(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  identity: { settle_time: 100ms }
exporters:
  prometheus: {}
  groups: { flush_interval: 100ms }
  alerts:
    evaluation_interval: 1s
    channels:
      hook: { type: webhook, url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook" }
    rules:
      - { name: new-errors, type: new_group, channels: [hook] }
      - { name: any-error, type: threshold, threshold: 0, group_by: [service, exception_type, span_name], channels: [hook] }
      - { name: slow-spans, type: latency, threshold: 1ms, quantile: p50, group_by: [service, span_name], channels: [hook] }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [identity], exporters: [prometheus, groups, alerts] }
    logs: { receivers: [otlp], processors: [identity], exporters: [prometheus, groups, alerts] }
  data_dir: ${mkdtempSync(path.join(tmpdir(), 'faultline-leaks-'))}
  telemetry:
    logs: { level: debug }
    metrics: { address: 127.0.0.1:0 }
`);
});

after(async () => {
  await running.stop();
  await new Promise<void>((resolve) => hook.close(() => resolve()));
});

const text = (value: string) => ({ stringValue: value });
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * One resource per leak, its service fields carrying the leak, with one SERVER span whose name,
 * route (every other one: the span metrics take the route, else the name), method, status message,
 * attributes and exception event carry it too. Each exception type is distinct, so each opens a group.
 */
function tracesWithLeaks(): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const resourceSpans = corpus.map((leak, i) => ({
    resource: {
      attributes: [
        { key: 'service.name', value: text(`leaky-${i} ${leak.text}`) },
        { key: 'service.version', value: text(`1.0.${i}+${leak.text}`) },
        { key: 'deployment.environment.name', value: text(`prod ${leak.text}`) },
        { key: 'service.instance.id', value: text(leak.text) },
      ],
    },
    scopeSpans: [
      {
        spans: [
          {
            traceId: hex(i + 1, 32),
            spanId: hex(i + 1, 16),
            name: `POST /checkout/${i}?${leak.text}`,
            kind: 2,
            startTimeUnixNano: String(now),
            endTimeUnixNano: String(now + 50_000_000n),
            status: { code: 2, message: leak.text },
            attributes: [
              { key: 'app.note', value: text(leak.text) },
              ...(i % 2 === 0 ? [{ key: 'http.route', value: text(`/checkout/${i}/${leak.text}`) }] : []),
              { key: 'http.request.method', value: text(i % 3 === 0 ? leak.text : 'POST') },
              { key: 'url.path', value: text(`/checkout/${leak.text}`) },
              { key: 'error.type', value: text(leak.text) },
            ],
            events: [
              {
                name: 'exception',
                timeUnixNano: String(now),
                attributes: [
                  { key: 'exception.type', value: text(`LeakCase${i}Error ${leak.text}`) },
                  { key: 'exception.message', value: text(leak.text) },
                  { key: 'exception.stacktrace', value: text(`LeakCase${i}Error: ${leak.text}\n    at pay (/app/src/pay.js:10:5)`) },
                ],
              },
            ],
          },
        ],
      },
    ],
  }));
  return JSON.stringify({ resourceSpans });
}

/** Log records without a trace, whose body, exception type, route and attributes carry the leak. */
function logsWithLeaks(): string {
  const logRecords = corpus.map((leak, i) => ({
    severityNumber: 17,
    body: text(leak.text),
    attributes: [
      { key: 'app.note', value: text(leak.text) },
      { key: 'exception.type', value: text(`LeakLog${i}Error ${leak.text}`) },
      { key: 'http.route', value: text(`/logs/${leak.text}`) },
    ],
  }));
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: text('leaky-logs') }, { key: 'service.version', value: text(corpus[0]!.text) }] },
        scopeLogs: [{ logRecords }],
      },
    ],
  });
}

async function getJson(url: string): Promise<any> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return response.json();
}

it('lets no secret from the leak corpus out through the groups API, webhooks, /metrics or logs, whatever field carried it', async () => {
  const json = { 'content-type': 'application/json' };
  assert.equal((await post(`${running.httpUrl}/v1/traces`, tracesWithLeaks(), json)).status, 200);
  assert.equal((await post(`${running.httpUrl}/v1/logs`, logsWithLeaks(), json)).status, 200);

  // Every trace and every log record opens a group; each group notifies once per rule that fires on it.
  const groupCount = 2 * corpus.length;
  const notified = (rule: string) => webhookBodies.filter((body) => body.includes(`"${rule}"`)).length;
  const logged = (rule: string) => running.logs.filter((line) => line.msg === 'alert state changed' && line.rule === rule).length;
  let list: any;
  await eventually(async () => {
    list = await getJson(`${running.adminUrl}/api/v1/groups?limit=500`);
    return (
      list.total >= groupCount &&
      notified('new-errors') >= groupCount &&
      notified('any-error') >= groupCount &&
      notified('slow-spans') >= corpus.length &&
      logged('any-error') >= groupCount &&
      logged('slow-spans') >= corpus.length
    );
  }, 1000);

  const scrape = await running.scrape();
  const outgoing: string[] = [JSON.stringify(list), ...webhookBodies, scrape, JSON.stringify(running.logs)];
  for (const group of list.groups) outgoing.push(JSON.stringify(await getJson(`${running.adminUrl}/api/v1/groups/${group.id}`)));

  const everything = outgoing.join('\n');
  const leaked = corpus.flatMap((leak) => leak.secrets.filter((secret) => everything.includes(secret)).map((secret) => `${leak.case}: ${secret}`));
  assert.deepEqual(leaked, []);
  // The test saw real content: scrubbed titles, span names, routes and label values, with their markers.
  assert.match(everything, /\[redacted\]/);
  assert.match(scrape, /faultline_spans_total\{[^}]*span_name="[^"]*\[redacted\]/);
  assert.match(scrape, /faultline_errors_total\{[^}]*exception_type="LeakCase\d+Error [^"]*\[redacted\]/);
  assert.ok(list.groups.some((group: any) => /^leaky-\d+ .*\[(?:redacted|email|ip|card)\]/s.test(group.service)), 'a scrubbed service name');
});
