// A Sentry event → an ErrorEvent, read from the recorded SDK requests, and grouped by the group
// processor from the SDK's structured frames: no stack trace text is parsed, the SDK's in_app
// flags decide which frames count (unless in_app_include / in_app_exclude say otherwise).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { ErrorEvent } from '../../../src/extract/error-event.js';
import { GROUP_PROCESSOR_DEFAULTS } from '../../../src/group/config.js';
import { createGroupProcessor } from '../../../src/group/group-processor.js';
import { ManualClock } from '../../../src/internal/clock.js';
import { createRegistry } from '../../../src/metrics/registry.js';
import { parseEnvelope } from '../../../src/receiver/sentry/envelope.js';
import { fromSentryEvent } from '../../../src/receiver/sentry/from-event.js';
import { IMPLICIT_SCRUB } from '../../../src/processor/scrub/config.js';
import { createScrubProcessor } from '../../../src/processor/scrub/scrub-processor.js';
import { createLogger } from '../../../src/internal/logger.js';

const FIXTURES = new URL('../../../../test/fixtures/sentry-sdk/', import.meta.url);
const PROJECT = { projectId: '1', service: 'sentry-1', environment: '' };
const LIMITS = { maxMessageBytes: 8192, maxStacktraceBytes: 65536 };

function recordedEvent(name: string, inSpan = true): ErrorEvent {
  const envelope = parseEnvelope(readFileSync(new URL(`${name}.raw`, FIXTURES)));
  const item = envelope.items.find((candidate) => candidate.type === 'event')!;
  const read = fromSentryEvent(JSON.parse(item.payload.toString('utf8')), PROJECT, { nowMs: 0, inSpan, limits: LIMITS });
  assert.ok(read.ok);
  return read.event;
}

function grouped(event: ErrorEvent, config: Partial<typeof GROUP_PROCESSOR_DEFAULTS> = {}) {
  const registry = createRegistry({ defaultMetrics: false });
  const group = createGroupProcessor({ type: 'group', id: 'group', ...GROUP_PROCESSOR_DEFAULTS, ...config }, { registry, clock: new ManualClock() });
  return group.processor.process({ events: [event], timings: [], skippedExceptions: 0 }).events[0]!.grouping!;
}

describe('a Sentry event as an ErrorEvent', () => {
  it('takes the thrown exception and its cause, top-level first, with the SDK frames and in_app', () => {
    const event = recordedEvent('node-006-event+attachment');
    assert.equal(event.id, 'b03b85f647c84405b97bed975ee8e10d');
    assert.equal(event.source, 'sentry');
    assert.equal(event.type, 'TypeError');
    assert.equal(event.message, 'user 42 could not be loaded');
    assert.deepEqual(event.exceptions!.map((exception) => exception.type), ['TypeError', 'SyntaxError']);
    assert.deepEqual(event.exceptions![1]!.frames.map((frame) => [frame.function, frame.inApp]), [['?', true], ['?', true], ['loadUser', true], ['JSON.parse', false]]);
    assert.equal(event.handled, true);
    assert.equal(event.traceId, '37602a1e975b4003a5f1d6a02b9019e4');
    assert.equal(event.serviceVersion, 'shop@1.4.2');
    assert.equal(event.environment, 'prod');
    assert.equal(event.attributes.get('tenant'), 'acme');
    assert.equal(event.attributes.get('user.email'), 'jane@example.com', 'as sent: the scrub processor masks it');
  });

  it('drops the trace id of an event outside any span: the SDK makes one up per process', () => {
    assert.equal(recordedEvent('node-007-event', false).traceId, '');
  });

  it('reads a message event of the Python SDK', () => {
    const payload = JSON.parse(gunzipSync(readFileSync(new URL('python-001-post.raw', FIXTURES))).toString('utf8'));
    const read = fromSentryEvent({ ...payload, exception: undefined, message: 'disk almost full', level: 'warning' }, PROJECT, { nowMs: 0, inSpan: false, limits: LIMITS });
    assert.ok(read.ok);
    assert.equal(read.event.type, 'Message');
    assert.equal(read.event.level, 'warning');
    assert.equal(read.event.timestampMs, Date.parse('2026-11-30T03:16:22.734Z'));
  });

  it("turns the request and the user into attributes that the scrub processor masks, causes' messages too", () => {
    const read = fromSentryEvent(
      {
        exception: { values: [{ type: 'KeyError', value: 'token=abc123secret' }, { type: 'LookupError', value: 'no invoice for ann@example.com' }] },
        user: { id: 'u-9', email: 'ann@example.com', ip_address: '198.51.100.23' },
        request: {
          url: 'https://shop.example.com/invoices/7?session=s3cr3t',
          method: 'post',
          headers: { Cookie: 'sid=abcdef', Authorization: 'Bearer eyJhbGciOi', 'User-Agent': 'curl/8' },
          data: { password: 'hunter2', amount: 3 },
        },
      },
      PROJECT,
      { nowMs: 0, inSpan: false, limits: LIMITS },
    );
    assert.ok(read.ok);
    assert.equal(read.event.urlPath, '/invoices/7');
    assert.equal(read.event.httpMethod, 'POST');
    const registry = createRegistry({ defaultMetrics: false });
    const scrub = createScrubProcessor(IMPLICIT_SCRUB, { registry, clock: new ManualClock(), logger: createLogger('silent') });
    const [scrubbed] = scrub.processor.process({ events: [read.event], timings: [], skippedExceptions: 0 }).events;
    const attributes = Object.fromEntries(scrubbed!.attributes);
    assert.equal(attributes['user.email'], '[email]');
    assert.equal(attributes['client.address'], '[ip]');
    assert.equal(attributes['http.request.header.cookie'], '[redacted]');
    assert.equal(attributes['http.request.header.authorization'], '[redacted]');
    assert.equal(attributes['http.request.header.user-agent'], 'curl/8');
    assert.doesNotMatch(String(attributes['http.request.body']), /hunter2/);
    assert.doesNotMatch(String(attributes['url.full']), /s3cr3t/);
    assert.equal(scrubbed!.message, 'no invoice for [email]');
    assert.deepEqual(scrubbed!.exceptions!.map((exception) => exception.message), ['no invoice for [email]', 'token=[redacted]']);
    assert.doesNotMatch(scrubbed!.stacktrace, /ann@example\.com|abc123secret/);
  });

  it('is refused with a reason when it is neither an exception nor a message', () => {
    assert.deepEqual(fromSentryEvent({ level: 'error' }, PROJECT, { nowMs: 0, inSpan: false, limits: LIMITS }), {
      ok: false,
      reason: 'the event has neither an exception nor a message',
    });
  });
});

describe('grouping a Sentry event', () => {
  it('uses the structured frames, parses no text, and keeps the SDK in_app flags', () => {
    const event = recordedEvent('node-006-event+attachment');
    const grouping = grouped({ ...event, stacktrace: 'not a stack trace at all' });
    assert.equal(grouping.method, 'frames');
    assert.equal(grouping.culprit, 'loadUser (node-client)');
    assert.deepEqual(
      grouping.frames.map((frame) => `${frame.function}:${frame.line}:${frame.inApp}`),
      ['?:28:true', '?:32:true', 'loadUser:23:true', '?:28:true', '?:32:true', 'loadUser:21:true', 'JSON.parse:0:false'],
    );
  });

  it('lets in_app_exclude win over the SDK', () => {
    const grouping = grouped(recordedEvent('node-006-event+attachment'), { inAppExclude: ['/srv/shop-api/'] });
    assert.equal(grouping.culprit, '');
    assert.ok(grouping.frames.every((frame) => !frame.inApp));
  });

  it('takes the fingerprint the SDK set as the client fingerprint', () => {
    const event = recordedEvent('node-006-event+attachment');
    const a = grouped({ ...event, attributes: new Map([['faultline.fingerprint', ['payments']]]) });
    const b = grouped({ ...event, message: 'other', exceptions: [], attributes: new Map([['faultline.fingerprint', ['payments']]]) });
    assert.equal(a.method, 'client');
    assert.equal(a.fingerprint, b.fingerprint);
  });
});
