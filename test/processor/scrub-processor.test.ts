import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScrubProcessorConfig } from '../../src/processor/scrub/config.js';
import type { ErrorEvent, Extracted } from '../../src/extract/error-event.js';
import type { AttributeValue } from '../../src/otlp/types.js';
import { IMPLICIT_SCRUB } from '../../src/processor/scrub/config.js';
import { createScrubProcessor } from '../../src/processor/scrub/scrub-processor.js';
import { errorEvent, spanTiming } from '../metrics/metric-fixtures.js';
import { buildContext, metricValue } from './build-context.js';

function scrub(overrides: Partial<ScrubProcessorConfig> = {}) {
  const context = buildContext();
  const config: ScrubProcessorConfig = { ...IMPLICIT_SCRUB, id: 'scrub', ...overrides };
  return { context, processor: createScrubProcessor(config, context).processor };
}

const batchOf = (...events: ErrorEvent[]): Extracted => ({ events, timings: [spanTiming()], skippedExceptions: 0 });
const attrs = (entries: [string, AttributeValue][]) => new Map(entries);

describe('the scrub processor', () => {
  it('masks secrets in the message, stack trace and url path', () => {
    const { processor } = scrub();
    const [event] = processor.process(
      batchOf(
        errorEvent({
          message: 'login failed password=hunter2 for bob@example.com',
          stacktrace: 'Error: token=abc123\n    at login (/app/auth.js:1:1)',
          urlPath: '/users/bob@example.com',
        }),
      ),
    ).events;
    assert.equal(event.message, 'login failed password=[redacted] for [email]');
    assert.equal(event.stacktrace, 'Error: token=[redacted]\n    at login (/app/auth.js:1:1)');
    assert.equal(event.urlPath, '/users/[email]');
  });

  it('masks percent-encoded e-mails in url paths and query strings like plain ones', () => {
    const { processor } = scrub();
    const [event] = processor.process(
      batchOf(
        errorEvent({
          message: 'no account for frank%40example.org',
          urlPath: '/users/frank%40example.org',
          attributes: attrs([['url.query', 'x=1&email=Frank%40Example.org']]),
        }),
      ),
    ).events;
    assert.equal(event.message, 'no account for [email]');
    assert.equal(event.urlPath, '/users/[email]');
    assert.equal(event.attributes.get('url.query'), 'x=1&email=[email]');
  });

  it('keeps the exception type as it is', () => {
    const { processor } = scrub();
    const [event] = processor.process(batchOf(errorEvent({ type: 'Token.Error', message: 'x' }))).events;
    assert.equal(event.type, 'Token.Error');
  });

  it('removes the value of every attribute whose key looks secret, whatever its type', () => {
    const { processor } = scrub();
    const [event] = processor.process(
      batchOf(
        errorEvent({
          attributes: attrs([
            ['http.request.header.authorization', ['Bearer abc', 'Basic xyz']],
            ['db.password', 'hunter2'],
            ['X-Api-Key', 12345],
            ['user.sessionId', 'abc'],
            ['http.request.header.cookie', ['a=b']],
            ['empty_token', ''],
            ['http.route', '/login'],
          ]),
        }),
      ),
    ).events;
    assert.deepEqual(Object.fromEntries(event.attributes), {
      'http.request.header.authorization': ['[redacted]', '[redacted]'],
      'db.password': '[redacted]',
      'X-Api-Key': '[redacted]',
      'user.sessionId': '[redacted]',
      'http.request.header.cookie': ['[redacted]'],
      empty_token: '',
      'http.route': '/login',
    });
  });

  it('searches the text of other attributes, inside lists and maps too', () => {
    const { processor } = scrub();
    const [event] = processor.process(
      batchOf(
        errorEvent({
          attributes: attrs([
            ['url.full', 'https://shop.example.com/cb?code=1&access_token=tok123'],
            ['client.address', '203.0.113.9'],
            ['tags', ['ok', 'mail alice@example.org']],
            ['ctx', { user: { email: 'carol@example.net', api_key: 'k-9' } }],
            ['count', 3],
          ]),
        }),
      ),
    ).events;
    assert.deepEqual(Object.fromEntries(event.attributes), {
      'url.full': 'https://shop.example.com/cb?code=1&access_token=[redacted]',
      'client.address': '[ip]',
      tags: ['ok', 'mail [email]'],
      ctx: { user: { email: '[email]', api_key: '[redacted]' } },
      count: 3,
    });
  });

  it('masks what the group processor derived, when it ran first', () => {
    const { processor } = scrub();
    const grouping = {
      fingerprint: 'f',
      method: 'message' as const,
      rule: '',
      version: 1,
      title: 'Error: no user dave@example.com',
      culprit: '',
      frames: [],
    };
    const [event] = processor.process(batchOf(errorEvent({ grouping }))).events;
    assert.equal(event.grouping?.title, 'Error: no user [email]');
    assert.equal(grouping.title, 'Error: no user dave@example.com');
  });

  it('builds new events and maps, leaving what the decoder made untouched', () => {
    const { processor } = scrub();
    const attributes = attrs([['db.password', 'hunter2']]);
    const event = errorEvent({ message: 'a@example.com', attributes });
    const batch = batchOf(event, event);
    const out = processor.process(batch);
    assert.equal(event.message, 'a@example.com');
    assert.equal(attributes.get('db.password'), 'hunter2');
    assert.equal(batch.events[0], event);
    assert.notEqual(out.events[0], event);
    assert.equal(out.events[0].attributes, out.events[1].attributes, 'one span, one scrubbed map');
    assert.equal(out.timings, batch.timings);
  });

  it('hands on the same batch, and the same events, when nothing is found', () => {
    const { processor } = scrub();
    const batch = batchOf(errorEvent(), errorEvent({ attributes: attrs([['http.route', '/x']]) }));
    assert.equal(processor.process(batch), batch);
  });

  it('counts what it found by kind', async () => {
    const { processor, context } = scrub();
    processor.process(
      batchOf(
        errorEvent({ message: 'a@example.com b@example.com card 4111111111111111', attributes: attrs([['token', 'x']]) }),
      ),
    );
    const count = (kind: string) => metricValue(context, 'faultline_scrubbed_values_total', { processor: 'scrub', kind });
    assert.equal(await count('email'), 2);
    assert.equal(await count('credit_card'), 1);
    assert.equal(await count('attribute_key'), 1);
    assert.equal(await count('jwt'), 0);
  });

  it('lets each detector be turned off', () => {
    const { processor } = scrub({ emails: false, ipAddresses: false });
    const [event] = processor.process(batchOf(errorEvent({ message: 'bob@example.com from 203.0.113.9 password=x1' }))).events;
    assert.equal(event.message, 'bob@example.com from 203.0.113.9 password=[redacted]');
  });

  it('adds user patterns and keys', () => {
    const { processor } = scrub({ patterns: ['\\bCUST-\\d{6}\\b'], keys: [...IMPLICIT_SCRUB.keys, 'ssn'] });
    const [event] = processor.process(
      batchOf(errorEvent({ message: 'customer CUST-123456 failed ssn=078-05-1120', attributes: attrs([['user.ssn', '1']]) })),
    ).events;
    assert.equal(event.message, 'customer [redacted] failed ssn=[redacted]');
    assert.equal(event.attributes.get('user.ssn'), '[redacted]');
  });

  it('passes everything through when it is disabled', () => {
    const { processor } = scrub({ enabled: false });
    const batch = batchOf(errorEvent({ message: 'password=hunter2' }));
    assert.equal(processor.process(batch), batch);
  });
});
