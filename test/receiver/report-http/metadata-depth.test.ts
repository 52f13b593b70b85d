// A report whose metadata nests 100,000 levels deep (JSON.parse takes it; JSON.stringify
// overflowed the stack on it, which answered 500 "retryable", so clients resent it forever) is
// a field problem of the body: parseReport names it instead of throwing.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_METADATA_DEPTH, parseReport } from '../../../src/receiver/report-http/parse-report.js';

const LIMITS = { maxMessageBytes: 8192, maxStacktraceBytes: 32768 };

/** The body a client sends, parsed as the receiver parses it: `levels` of lists under one key. */
function deepReport(levels: number): unknown {
  return JSON.parse(`{"service":"s","error":{"message":"x"},"metadata":{"deep":${'['.repeat(levels)}${']'.repeat(levels)}}}`);
}

describe('report metadata depth', () => {
  it('is bounded at 32 levels, the metadata object counted as the first', () => {
    assert.equal(MAX_METADATA_DEPTH, 32);
  });

  it('rejects metadata nested 100,000 levels deep with a field problem instead of a stack overflow', () => {
    const parsed = parseReport(deepReport(100_000), 'id', 0, LIMITS);
    assert.deepEqual(parsed, { ok: false, problems: ['metadata: expected at most 32 levels of nesting'] });
  });

  it('keeps metadata at the limit as JSON text', () => {
    const parsed = parseReport(deepReport(31), 'id', 0, LIMITS);
    assert.ok(parsed.ok);
    assert.equal(parsed.event.attributes.get('deep'), `${'['.repeat(31)}${']'.repeat(31)}`);
  });

  it('rejects metadata one level past the limit', () => {
    assert.equal(parseReport(deepReport(32), 'id', 0, LIMITS).ok, false);
  });
});
