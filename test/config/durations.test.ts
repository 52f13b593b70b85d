import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration, parseSize } from '../../src/config/durations.js';

describe('durations', () => {
  it('reads Go-style durations as milliseconds', () => {
    assert.equal(parseDuration('100ms'), 100);
    assert.equal(parseDuration('5s'), 5000);
    assert.equal(parseDuration('15m'), 900000);
    assert.equal(parseDuration('1h'), 3600000);
    assert.equal(parseDuration('1m30s'), 90000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('0s'), 0);
    assert.equal(parseDuration('0'), 0, 'zero needs no unit, as in Go');
    assert.equal(parseDuration('250us'), 0.25);
  });

  it('rejects bare numbers other than 0, unknown units, signs and spaces', () => {
    for (const text of ['', '15', '00', '0.5', '5 s', '-5s', '5d', 's', '1m30', 'soon']) assert.equal(parseDuration(text), null, text);
  });
});

describe('sizes', () => {
  it('reads integers and binary or decimal unit suffixes as bytes', () => {
    assert.equal(parseSize(4194304), 4194304);
    assert.equal(parseSize('4MiB'), 4194304);
    assert.equal(parseSize('512KiB'), 524288);
    assert.equal(parseSize('1GiB'), 1073741824);
    assert.equal(parseSize('2 KB'), 2000);
    assert.equal(parseSize('100B'), 100);
    assert.equal(parseSize('1.5KiB'), 1536);
  });

  it('rejects fractions of a byte given as numbers and unknown units', () => {
    for (const value of [1.5, '4 megabytes', '4mb', 'MiB', '']) assert.equal(parseSize(value), null, String(value));
  });
});
