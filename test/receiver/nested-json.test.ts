// Absurdly nested JSON is refused before JSON.parse builds it: a 3.8 MB body of 1.9 million nested
// arrays got its 400 only after ~175 MB and ~0.5 s of the event loop, eight at once peaked at
// 742 MB. Now the depth is read from the bytes first (internal/json-depth.ts): the OTLP/JSON
// receiver answers 400 `JSON nested deeper than 256 levels`, the report API 400 `body: expected
// JSON nested at most 64 levels deep`, and eight such bodies at once leave the process's memory
// about where it was. The limits sit above anything a valid request nests: an attribute value
// nested as deep as OTLP allows still decodes.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jsonNestsDeeperThan } from '../../src/internal/json-depth.js';
import { startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { post } from '../helpers/http.js';

const CONFIG = `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
  report: {}
exporters:
  prometheus: {}
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [prometheus] }
    logs: { receivers: [report], exporters: [prometheus] }
  telemetry:
    metrics: { address: 127.0.0.1:0 }
`;

/** 1.9 million levels: 3.8 MB, under the OTLP/HTTP limit of 4 MiB; the report API takes 1 MiB. */
const nestedArrays = (levels = 1_900_000) => Buffer.from(`${'['.repeat(levels)}${']'.repeat(levels)}`);
const MiB = 1024 * 1024;

/** A span whose one attribute is a kvlist nested `levels` AnyValues deep (a string innermost). */
function spanWithNestedAttribute(levels: number): string {
  let value: unknown = { stringValue: 'x' };
  for (let level = 1; level < levels; level++) value = { kvlistValue: { values: [{ key: 'k', value }] } };
  const span = {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    name: 'GET /',
    kind: 2,
    startTimeUnixNano: '1',
    endTimeUnixNano: '2',
    attributes: [{ key: 'deep', value }],
  };
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: {}, spans: [span] }] }] });
}

describe('the JSON depth scan', () => {
  it('counts arrays and objects inside each other, not brackets inside strings or after escaped quotes', () => {
    assert.equal(jsonNestsDeeperThan(Buffer.from('[[{"a":[1]}]]'), 4), false);
    assert.equal(jsonNestsDeeperThan(Buffer.from('[[{"a":[[1]]}]]'), 4), true);
    assert.equal(jsonNestsDeeperThan(Buffer.from('["[[[[[[", "\\"[[[[[[", {"k\\\\":"]]"}]'), 2), false);
    assert.equal(jsonNestsDeeperThan(Buffer.from('[{"k\\\\":[[1]]}]'), 3), true);
    assert.equal(jsonNestsDeeperThan(Buffer.from('"[[[[ never closed'), 0), false);
  });
});

describe('absurdly nested JSON', () => {
  let running: RunningFaultline;
  before(async () => {
    running = await startFaultline(CONFIG);
  });
  after(async () => {
    await running.stop();
  });

  it('gets a 400 naming the limit from the OTLP/JSON receiver', async () => {
    const reply = await post(`${running.httpUrl}/v1/traces`, nestedArrays(), { 'content-type': 'application/json' });
    assert.equal(reply.status, 400);
    assert.equal((JSON.parse(reply.body.toString('utf8')) as { message: string }).message, 'JSON nested deeper than 256 levels');
  });

  it('gets a 400 naming the limit from the report API', async () => {
    const reply = await post(`${running.httpUrl}/api/v1/report`, nestedArrays(500_000), { 'content-type': 'application/json' });
    assert.equal(reply.status, 400);
    assert.deepEqual(JSON.parse(reply.body.toString('utf8')), { error: 'body: expected JSON nested at most 64 levels deep' });
  });

  it('costs about the bodies themselves when eight arrive at once, not the hundreds of MiB parsing them took', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const replies = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const reply = await post(`${running.httpUrl}/v1/traces`, nestedArrays(), { 'content-type': 'application/json' });
        peak = Math.max(peak, process.memoryUsage().rss);
        return reply.status;
      }),
    );
    assert.deepEqual(replies, Array(8).fill(400));
    // Eight 3.8 MB bodies, read and sent in this one process: well under the 742 MB parsing them cost.
    assert.ok(peak - before < 128 * MiB, `RSS grew by ${((peak - before) / MiB).toFixed(0)} MiB`);
  });

  it('still decodes an attribute nested as deep as OTLP allows (32 AnyValues)', async () => {
    const reply = await post(`${running.httpUrl}/v1/traces`, spanWithNestedAttribute(32), { 'content-type': 'application/json' });
    assert.equal(reply.status, 200, reply.body.toString('utf8'));
  });
});
