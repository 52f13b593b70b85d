// The envelope reader against what real Sentry SDKs sent (the recordings in
// /work/shared/recordings/sentry-sdk, copied under test/fixtures/sentry-sdk) and against envelopes
// broken in each way a client or a proxy can break them.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { parseEnvelope } from '../../../src/receiver/sentry/envelope.js';

const FIXTURES = new URL('../../../../test/fixtures/sentry-sdk/', import.meta.url);
const recorded = (name: string) => readFileSync(new URL(`${name}.raw`, FIXTURES));
const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const EVENT = { event_id: 'a'.repeat(32), message: 'kept' };

describe('reading a Sentry envelope', () => {
  it('reads every item the Node SDK sent, newline-delimited or with a length, attachments included', () => {
    const envelope = parseEnvelope(recorded('node-006-event+attachment'));
    assert.equal(envelope.header.event_id, 'b03b85f647c84405b97bed975ee8e10d');
    assert.deepEqual(envelope.items.map((item) => [item.type, item.payload.length]), [['event', 6258], ['attachment', 34]]);
    assert.deepEqual(envelope.rejected, []);
  });

  it('reads the length-prefixed items of sentry-python once gunzipped', () => {
    const envelope = parseEnvelope(gunzipSync(recorded('python-002-transaction')));
    assert.deepEqual(envelope.items.map((item) => [item.type, item.payload.length]), [['transaction', 850]]);
  });

  it('reads the streamed span and log items with their item counts', () => {
    assert.equal(parseEnvelope(recorded('node-004-span')).items[0]!.header.item_count, 2);
    assert.equal(parseEnvelope(recorded('node-005-log')).items[0]!.type, 'log');
  });

  it('refuses a body whose first line is not a JSON object as not an envelope', () => {
    assert.throws(() => parseEnvelope(Buffer.from('hello world\n')), { code: 'FL_DECODE', message: /not a Sentry envelope/ });
    assert.throws(() => parseEnvelope(Buffer.from('[1,2]\n{}')), { code: 'FL_DECODE' });
  });

  it('rejects an item whose length runs past the end, keeping the items before it', () => {
    const body = Buffer.from(`{}\n${line({ type: 'event' })}${line(EVENT)}${line({ type: 'event', length: 500 })}{"cut`);
    const envelope = parseEnvelope(body);
    assert.deepEqual(envelope.items.map((item) => item.type), ['event']);
    assert.deepEqual(envelope.rejected.map((r) => r.reason), ['truncated']);
    assert.match(envelope.rejected[0]!.message, /item 1: length 500 but only 5 bytes remain/);
  });

  it('rejects an item whose length lies, too short or too long, and reads on at the end of its line', () => {
    const payload = JSON.stringify(EVENT);
    for (const lie of [-5, 30]) {
      const body = Buffer.from(`{}\n${line({ type: 'event', length: payload.length + lie })}${payload}\n${line({ type: 'session' })}{"sid":"0123456789abcdef0123456789abcdef"}\n`);
      const envelope = parseEnvelope(body);
      assert.deepEqual(envelope.rejected.map((r) => r.reason), ['bad_length'], `length off by ${lie}`);
      assert.deepEqual(envelope.items.map((item) => item.type), ['session'], `length off by ${lie}`);
    }
  });

  it('rejects an item header that is not JSON, or that has no type, and keeps the rest', () => {
    const body = Buffer.from(`{}\nnot json\n${line({ length: 2 })}{}\n${line({ type: 'event' })}${line(EVENT)}`);
    const envelope = parseEnvelope(body);
    assert.deepEqual(envelope.rejected.map((r) => r.reason), ['malformed_header', 'missing_type']);
    assert.deepEqual(envelope.items.map((item) => item.type), ['event']);
  });

  it('takes an envelope with no items, or only blank lines after its header', () => {
    assert.deepEqual(parseEnvelope(Buffer.from('{}')).items, []);
    assert.deepEqual(parseEnvelope(Buffer.from('{}\n\n\n')).items, []);
  });
});
