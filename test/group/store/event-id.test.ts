// Event ids made from an event's content (events whose receiver gave them none): 32 hex digits,
// the event's time first, so ids of live traffic sort by arrival (the samples' id index grows at
// its end), and the same for the same event delivered twice.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventIdOf, isEventId } from '../../../src/group/store/event-id.js';
import { errorEvent } from '../../metrics/metric-fixtures.js';

describe('eventIdOf', () => {
  it('starts with the event’s time in milliseconds, then a digest of the event', () => {
    const event = errorEvent({ timestampMs: 1_700_000_000_123 });
    const id = eventIdOf(event);
    assert.ok(isEventId(id), id);
    assert.equal(id.slice(0, 12), (1_700_000_000_123).toString(16).padStart(12, '0'));
    assert.equal(eventIdOf({ ...event, attributes: new Map() }), id, 'the same event delivered again keeps its id');
    assert.notEqual(eventIdOf({ ...event, stacktrace: `${event.stacktrace}\n    at more (/app/x.js:1:1)` }), id, 'another stack trace, another id');
    assert.notEqual(eventIdOf({ ...event, traceId: '1'.repeat(32) }), id, 'another trace, another id');
    assert.equal(eventIdOf({ ...event, id: 'abc' }), 'abc', 'an id the receiver gave is kept');
  });

  it('sorts the ids of later events after earlier ones', () => {
    const ids = [0, 1, 999, 1_000, 60_000, 3_600_000].map((offset) => eventIdOf(errorEvent({ timestampMs: 1_700_000_000_000 + offset, message: `m${offset}` })));
    assert.deepEqual([...ids].sort(), ids);
  });

  it('keeps 12 digits of time for times out of range (before 1970, NaN, past the year 10889)', () => {
    for (const [timestampMs, prefix] of [
      [-5, '000000000000'],
      [Number.NaN, '000000000000'],
      [2 ** 60, 'ffffffffffff'],
    ] as const) {
      const id = eventIdOf(errorEvent({ timestampMs }));
      assert.ok(isEventId(id), id);
      assert.equal(id.slice(0, 12), prefix);
    }
  });
});
