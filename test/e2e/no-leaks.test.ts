// Every secret and piece of personal data in the leak corpus, sent in exception messages, stack
// traces, span attributes and log bodies through a real Faultline, must appear nowhere it goes
// out: the groups API (list and details with samples), alert webhooks, /metrics and its own logs.

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
exporters:
  prometheus: {}
  groups: {}
  alerts:
    evaluation_interval: 1s
    channels:
      hook: { type: webhook, url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook" }
    rules:
      - { name: new-errors, type: new_group, channels: [hook] }
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [prometheus, groups, alerts] }
    logs: { receivers: [otlp], exporters: [prometheus, groups, alerts] }
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

function tracesWithLeaks(): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = corpus.map((leak, i) => ({
    traceId: hex(i + 1, 32),
    spanId: hex(i + 1, 16),
    name: 'POST /checkout',
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
    status: { code: 2 },
    attributes: [{ key: 'app.note', value: text(leak.text) }],
    events: [
      {
        name: 'exception',
        timeUnixNano: String(now),
        attributes: [
          { key: 'exception.type', value: text(`LeakCase${i}Error`) },
          { key: 'exception.message', value: text(leak.text) },
          { key: 'exception.stacktrace', value: text(`LeakCase${i}Error: ${leak.text}\n    at pay (/app/src/pay.js:10:5)`) },
        ],
      },
    ],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: text('leaky') }] }, scopeSpans: [{ spans }] }] });
}

function logsWithLeaks(): string {
  const logRecords = corpus.map((leak) => ({ severityNumber: 17, body: text(leak.text), attributes: [{ key: 'app.note', value: text(leak.text) }] }));
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: text('leaky-logs') }] }, scopeLogs: [{ logRecords }] }] });
}

async function getJson(url: string): Promise<any> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return response.json();
}

it('lets no secret from the leak corpus out through the groups API, webhooks, /metrics or logs', async () => {
  const json = { 'content-type': 'application/json' };
  assert.equal((await post(`${running.httpUrl}/v1/traces`, tracesWithLeaks(), json)).status, 200);
  assert.equal((await post(`${running.httpUrl}/v1/logs`, logsWithLeaks(), json)).status, 200);

  // Every span's exception type is distinct, so each opens a group and notifies the webhook.
  let list: any;
  await eventually(async () => {
    list = await getJson(`${running.adminUrl}/api/v1/groups?limit=500&service=leaky`);
    return list.total >= corpus.length && webhookBodies.length >= corpus.length;
  }, 500);

  const outgoing: string[] = [JSON.stringify(list), ...webhookBodies, await running.scrape(), JSON.stringify(running.logs)];
  for (const group of list.groups) outgoing.push(JSON.stringify(await getJson(`${running.adminUrl}/api/v1/groups/${group.id}`)));
  const logGroups = await getJson(`${running.adminUrl}/api/v1/groups?limit=500&service=leaky-logs`);
  outgoing.push(JSON.stringify(logGroups));
  for (const group of logGroups.groups) outgoing.push(JSON.stringify(await getJson(`${running.adminUrl}/api/v1/groups/${group.id}`)));

  const everything = outgoing.join('\n');
  const leaked = corpus.flatMap((leak) => leak.secrets.filter((secret) => everything.includes(secret)).map((secret) => `${leak.case}: ${secret}`));
  assert.deepEqual(leaked, []);
  // The test saw real content: the scrubbed messages are there, with their markers.
  assert.match(everything, /\[redacted\]/);
});
