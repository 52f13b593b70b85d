import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { IMPLICIT_SCRUB } from '../../src/processor/scrub/config.js';
import { createScrubber, emptyCounts } from '../../src/processor/scrub/scrubber.js';

interface LeakCase {
  readonly case: string;
  readonly text: string;
  /** Strings that must not survive scrubbing. */
  readonly secrets: readonly string[];
  /** Strings that must survive it. */
  readonly keeps: readonly string[];
}

const corpus = (name: string): LeakCase[] =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/leaks/${name}.json`, import.meta.url), 'utf8')) as LeakCase[];

const scrubber = createScrubber(IMPLICIT_SCRUB);
const scrub = (text: string) => scrubber.text(text, emptyCounts());

describe('scrubbing the leak corpus with the default settings', () => {
  const leaks = [...corpus('secrets'), ...corpus('personal-data')];

  it('has at least fifty leaks, each with a secret that is in its text', () => {
    assert.ok(leaks.length >= 50, `only ${leaks.length} leaks`);
    for (const leak of leaks) {
      assert.ok(leak.secrets.length > 0, leak.case);
      for (const secret of leak.secrets) assert.ok(leak.text.includes(secret), `${leak.case}: ${secret}`);
    }
  });

  for (const leak of leaks) {
    it(`removes ${leak.case} and keeps the text around it`, () => {
      const scrubbed = scrub(leak.text);
      for (const secret of leak.secrets) assert.ok(!scrubbed.includes(secret), `"${secret}" survived in: ${scrubbed}`);
      for (const kept of leak.keeps) assert.ok(scrubbed.includes(kept), `"${kept}" was lost from: ${scrubbed}`);
    });
  }

  for (const nearMiss of corpus('near-misses')) {
    it(`leaves ${nearMiss.case} untouched`, () => {
      assert.equal(scrub(nearMiss.text), nearMiss.text);
    });
  }
});
