// Golden tests: real stack traces, captured by really throwing in each language (see
// test/fixtures/stacktraces/README.md), parsed and grouped; the expected result of each
// `<case>.txt` is `<case>.golden.json` beside it. After a deliberate change, rewrite them with
//   UPDATE_GOLDEN=1 node --test dist/test/group/stack/golden.test.js
// and read the diff: a changed fingerprint means FINGERPRINT_VERSION must be bumped.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { computeGrouping, createGroupingOptions } from '../../../src/group/fingerprint.js';
import { createInAppClassifier } from '../../../src/group/stack/in-app.js';
import { parseStacktrace } from '../../../src/group/stack/parse-stacktrace.js';
import { errorEvent } from '../event-fixtures.js';

// dist/test/group/stack → the repository's fixtures.
const FIXTURES = new URL('../../../../test/fixtures/stacktraces/', import.meta.url);
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
/** The parser each folder's traces must be read by (Kotlin and Scala print as Java does). */
const LANGUAGE_OF_FOLDER: Record<string, string> = {
  java: 'java',
  kotlin: 'java',
  scala: 'java',
  python: 'python',
  javascript: 'javascript',
  go: 'go',
  dotnet: 'dotnet',
  ruby: 'ruby',
  php: 'php',
  unknown: 'unknown',
};
/** Cases printed in another language's format on purpose. */
const LANGUAGE_OF_CASE: Record<string, string> = { 'php/opentelemetry-java-like': 'java' };

const inApp = createInAppClassifier({ include: [], exclude: [] });
const options = createGroupingOptions({ inAppInclude: [], inAppExclude: [], fingerprintRules: [] });

function goldenOf(text: string): unknown {
  const parsed = parseStacktrace(text, inApp);
  const top = parsed.exceptions[0];
  const grouping = computeGrouping(
    errorEvent({ type: top?.type || 'Error', message: top?.message ?? '', stacktrace: text }),
    options,
  );
  return {
    language: parsed.language,
    exceptions: parsed.exceptions,
    grouping: { method: grouping.method, fingerprint: grouping.fingerprint, title: grouping.title, culprit: grouping.culprit },
  };
}

for (const folder of Object.keys(LANGUAGE_OF_FOLDER)) {
  const dir = new URL(`${folder}/`, FIXTURES);
  if (!existsSync(dir)) continue;
  describe(`${folder} stack traces`, () => {
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.txt')).sort()) {
      const name = file.slice(0, -'.txt'.length);
      it(`parses ${folder}/${name} as its golden file says`, () => {
        const text = readFileSync(new URL(file, dir), 'utf8');
        const actual = goldenOf(text);
        const goldenUrl = new URL(`${name}.golden.json`, dir);
        if (UPDATE) writeFileSync(goldenUrl, `${JSON.stringify(actual, null, 2)}\n`);
        assert.ok(existsSync(goldenUrl), `no golden file for ${folder}/${name}; run with UPDATE_GOLDEN=1`);
        assert.deepEqual(actual, JSON.parse(readFileSync(goldenUrl, 'utf8')));
        const expected = LANGUAGE_OF_CASE[`${folder}/${name}`] ?? LANGUAGE_OF_FOLDER[folder];
        assert.equal((actual as { language: string }).language, expected);
      });
    }
  });
}
