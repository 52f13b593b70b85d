// The report receiver (POST /api/v1/report and /report on the OTLP/HTTP port, or a port of its own)
// against a real Faultline, and behind a plain HTTP server with a full queue or while shutting down.
// The admin endpoint no longer takes reports: it answers 410 naming where they go.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERRORS_PROCESSOR_DEFAULTS } from '../../src/processor/errors/config.js';
import { createExtractOptions } from '../../src/extract/options.js';
import { ManualClock } from '../../src/internal/clock.js';
import { createLogger } from '../../src/internal/logger.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { createSelfMetrics } from '../../src/metrics/self-metrics.js';
import { countStageFailures } from '../../src/pipeline/consumer.js';
import { createQueueStage } from '../../src/pipeline/queue-stage.js';
import { REPORT_RECEIVER_DEFAULTS } from '../../src/receiver/report-http/config.js';
import { createReportReceiver } from '../../src/receiver/report-http/report-receiver.js';
import { eventually } from '../helpers/faultline.js';
import { sampleValue } from '../helpers/prom-text.js';
import { groupsOf, report, reportOf, request, startWithGroups, type GroupsFaultline } from '../group/api/faultline-with-groups.js';

const TOKEN = 'rpt-0d4c9e2f7a1b-secret';

describe('POST /api/v1/report', () => {
  let running: GroupsFaultline;
  before(async () => {
    running = await startWithGroups({ report: '{ max_request_body_size: 2KiB }' });
  });
  after(() => running.stop());

  it('answers 201 with the id of the stored event, which the events API then shows', async () => {
    const sentMs = Date.now();
    const reply = await report(running.httpUrl, {
      service: 'legacy-php',
      error: { message: 'Undefined index: user', stack: '#0 /var/www/index.php(12): main()', type: 'ErrorException', path: '/cart', method: 'post' },
      level: 'warning',
      metadata: { 'user.plan': 'pro', retries: 3, nested: { a: 1 } },
      timestamp: '2024-05-01T12:00:00Z',
      environment: 'prod',
      release: '4.2.0',
      trace_id: '4BF92F3577B34DA6A3CE929D0E0E4736',
    });
    assert.equal(reply.status, 201);
    assert.match(reply.body.id, /^[0-9a-f]{32}$/);
    // Its first 12 digits are the time it was received (src/internal/time-ordered-id.ts).
    const receivedMs = parseInt(reply.body.id.slice(0, 12), 16);
    assert.ok(receivedMs >= sentMs && receivedMs <= Date.now(), `${reply.body.id} starts with the time it was received`);
    let event: any;
    await eventually(async () => {
      const found = await request(`${running.adminUrl}/api/v1/events/${reply.body.id}`);
      event = found.body;
      return found.status === 200;
    });
    assert.equal(event.source, 'report');
    assert.equal(event.service, 'legacy-php');
    assert.equal(event.type, 'ErrorException');
    assert.equal(event.message, 'Undefined index: user');
    assert.equal(event.stacktrace, '#0 /var/www/index.php(12): main()');
    assert.equal(event.level, 'warning');
    assert.equal(event.timestamp, '2024-05-01T12:00:00.000Z');
    assert.equal(event.environment, 'prod');
    assert.equal(event.release, '4.2.0');
    assert.equal(event.trace_id, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.deepEqual(event.http, { method: 'POST', route: '', status_code: 0, url_path: '/cart' });
    assert.equal(event.attributes['user.plan'], 'pro');
    assert.equal(event.attributes.retries, '3');
    assert.equal(event.attributes.nested, '{"a":1}');
  });

  it('counts reports in faultline_errors_total with source="report"', async () => {
    assert.equal((await report(running.httpUrl, reportOf('counted', 'one'))).status, 201);
    await eventually(async () =>
      sampleValue(await running.scrape(), 'faultline_errors_total', {
        service: 'counted', environment: '', level: 'error', exception_type: 'Error', source: 'report',
      }) === 1,
    );
  });

  it('names a report without error.type by its traceback, without repeating the type in the group title', async () => {
    const stack = readFileSync(new URL('../../../test/fixtures/stacktraces/python/key-error.txt', import.meta.url), 'utf8');
    const typed = await report(running.httpUrl, { service: 'seed-py', error: { message: 'KeyError: 2', stack } });
    assert.equal(typed.status, 201);
    let event: any;
    await eventually(async () => {
      const found = await request(`${running.adminUrl}/api/v1/events/${typed.body.id}`);
      event = found.body;
      return found.status === 200;
    });
    assert.equal(event.type, 'KeyError');
    const group = await request(`${running.adminUrl}/api/v1/groups/${event.group_id}`);
    assert.equal(group.body.title, 'KeyError: <num>');
    await eventually(async () =>
      sampleValue(await running.scrape(), 'faultline_errors_total', {
        service: 'seed-py', environment: '', level: 'error', exception_type: 'KeyError', source: 'report',
      }) === 1,
    );
  });

  it('serves /report as well, and takes gzip', async () => {
    const reply = await request(`${running.httpUrl}/report`, {
      method: 'POST',
      body: gzipSync(JSON.stringify(reportOf('compat', 'old client'))),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    assert.equal(reply.status, 201);
  });

  for (const [name, body, message] of [
    ['a message that is not a string', { service: 's', error: { message: 42 } }, 'error.message: expected a string'],
    ['no service', { error: { message: 'x' } }, 'service: required'],
    ['no error', { service: 's' }, 'error: required'],
    ['an unknown level', { service: 's', error: { message: 'x' }, level: 'loud' }, 'level: expected one of'],
    ['a bad timestamp', { service: 's', error: { message: 'x' }, timestamp: 'soon' }, 'timestamp: expected an ISO 8601 time or Unix milliseconds'],
    ['metadata that is a list', { service: 's', error: { message: 'x' }, metadata: [1] }, 'metadata: expected an object'],
    ['metadata nested deeper than 32 levels', { service: 's', error: { message: 'x' }, metadata: nestedMetadata(33) }, 'metadata: expected at most 32 levels of nesting'],
    ['a body that is not an object', [1, 2], 'body: expected a JSON object'],
  ] as const) {
    it(`answers 400 with a field-level message for ${name}`, async () => {
      const reply = await report(running.httpUrl, body);
      assert.equal(reply.status, 400);
      assert.ok(reply.body.error.includes(message), reply.body.error);
    });
  }

  it('keeps metadata nested exactly 32 levels deep', async () => {
    const reply = await report(running.httpUrl, { service: 's', error: { message: 'x' }, metadata: nestedMetadata(32) });
    assert.equal(reply.status, 201);
  });

  it('lists every problem of a body at once', async () => {
    const reply = await report(running.httpUrl, { service: 7, error: { message: 'x', stack: 1 }, release: false });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.body.problems, ['service: expected a string', 'error.stack: expected a string', 'release: expected a string']);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const reply = await report(running.httpUrl, '{"service": ');
    assert.equal(reply.status, 400);
    assert.match(reply.body.error, /^body: expected JSON/);
  });

  it('answers 413 past max_request_body_size', async () => {
    const reply = await report(running.httpUrl, reportOf('big', 'x'.repeat(4096)));
    assert.equal(reply.status, 413);
  });

  it('is no longer served on the admin endpoint, which answers 410 naming the OTLP/HTTP port', async () => {
    for (const path of ['/api/v1/report', '/report']) {
      const reply = await request(`${running.adminUrl}${path}`, { method: 'POST', body: JSON.stringify(reportOf('moved', 'x')), headers: { 'content-type': 'application/json' } });
      assert.equal(reply.status, 410, path);
      assert.equal(reply.body.error, `reports are no longer taken on the admin endpoint: POST them to ${path} on the OTLP/HTTP port (receivers.otlp.protocols.http.endpoint, 4318 by default)`);
    }
  });

  it('answers 405 to a method other than POST', async () => {
    const reply = await request(`${running.httpUrl}/api/v1/report`);
    assert.equal(reply.status, 405);
    assert.equal(reply.headers.get('allow'), 'POST');
  });

  it('answers 415 for a body that is not JSON by its content type', async () => {
    const reply = await report(running.httpUrl, '<xml/>', { 'content-type': 'application/xml' });
    assert.equal(reply.status, 415);
  });
});

describe('the report receiver on a port of its own (receivers.report.endpoint)', () => {
  let running: GroupsFaultline;
  before(async () => {
    running = await startWithGroups({ report: '{ endpoint: 127.0.0.1:0 }' });
  });
  after(() => running.stop());

  it('groups reports posted to its port, and leaves the path on the OTLP/HTTP port unserved', async () => {
    const own = `http://127.0.0.1:${running.faultline.addresses().report!.port}`;
    assert.equal((await report(own, reportOf('own-port', 'boom'))).status, 201);
    await eventually(async () => (await groupsOf(running, 'own-port')).length === 1);
    assert.equal((await report(running.httpUrl, reportOf('own-port', 'boom'))).status, 404);
    const moved = await report(running.adminUrl, reportOf('own-port', 'boom'));
    assert.equal(moved.status, 410);
    assert.match(moved.body.error, /on the report receiver's own port \(receivers\.report\.endpoint: 127\.0\.0\.1:0\)/);
  });
});

describe('POST /api/v1/report with auth.bearer_token', () => {
  let running: GroupsFaultline;
  before(async () => {
    running = await startWithGroups({ report: `{ auth: { bearer_token: ${TOKEN} } }` });
  });
  after(() => running.stop());

  it('answers 401 without the token or with a wrong one, and 201 with it', async () => {
    const body = reportOf('private', 'boom');
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const reply = await report(running.httpUrl, body, authorization === undefined ? {} : { authorization });
      assert.equal(reply.status, 401, String(authorization));
      assert.equal(reply.headers.get('www-authenticate'), 'Bearer realm="faultline"');
    }
    assert.equal((await report(running.httpUrl, body, { authorization: `Bearer ${TOKEN}` })).status, 201);
  });

  it('never shows the token in its logs, answers or metrics', async () => {
    await report(running.httpUrl, reportOf('private', 'boom'), { authorization: 'Bearer wrong' });
    const seen = [JSON.stringify(running.logs), await running.scrape(), (await request(`${running.adminUrl}/health`)).text];
    for (const text of seen) assert.ok(!text.includes(TOKEN));
  });
});

describe('the report receiver under pressure', () => {
  const logger = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));

  async function receiverWith(capacity: number) {
    const registry = createRegistry({ defaultMetrics: false });
    const selfMetrics = createSelfMetrics(registry);
    const receiver = createReportReceiver({
      config: { type: 'report', id: 'report', ...REPORT_RECEIVER_DEFAULTS },
      queue: createQueueStage({ capacity, onFailure: countStageFailures(selfMetrics.pipelineFailures, logger) }),
      route: { options: createExtractOptions(ERRORS_PROCESSOR_DEFAULTS), consumer: { consume: () => {} } },
      signal: 'logs',
      selfMetrics,
      clock: new ManualClock(),
      logger,
    });
    const server = http.createServer(receiver.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const listener = { shutdown: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    return { listener, receiver, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it('answers 503 with Retry-After when the pipeline queue is full', async () => {
    const { listener, receiver, url } = await receiverWith(0);
    await receiver.start();
    try {
      const reply = await report(url, reportOf('busy', 'boom'));
      assert.equal(reply.status, 503);
      assert.equal(reply.headers.get('retry-after'), '1');
      assert.match(reply.body.error, /queue is full/);
    } finally {
      await listener.shutdown();
    }
  });

  it('answers 503 with Retry-After once it is shut down', async () => {
    const { listener, receiver, url } = await receiverWith(10);
    await receiver.start();
    await receiver.shutdown();
    try {
      const reply = await report(url, reportOf('late', 'boom'));
      assert.equal(reply.status, 503);
      assert.equal(reply.headers.get('retry-after'), '1');
    } finally {
      await listener.shutdown();
    }
  });
});

/** A metadata object `levels` deep, counting itself: {"a": {"a": … [1] …}}, a list innermost. */
function nestedMetadata(levels: number): Record<string, unknown> {
  let value: unknown = [1];
  for (let level = 2; level < levels; level += 1) value = { a: value };
  return { a: value };
}
