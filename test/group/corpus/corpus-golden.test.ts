// Golden tests over the real-world grouping corpus (test/fixtures/grouping-corpus/): for every
// case, what the parser reads (frames with file, line and in-app), the culprit, the title and the
// fingerprint, kept in `golden/<corpus file>.golden.json`. After a deliberate change, rewrite them with
//   UPDATE_GOLDEN=1 node --test dist/test/group/corpus/corpus-golden.test.js
// and read the diff. The expected frames themselves come from each case's source and are never
// edited; how far the parsers meet them is scored by `npm run grouping-report` and the targets test.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CORPUS_DIR, loadCases, readCorpusCase, type CorpusCase } from './grouping-corpus.js';

const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const GOLDEN_DIR = new URL('golden/', CORPUS_DIR);

function goldenOf(corpusCase: CorpusCase) {
  const { language, exceptions, grouping } = readCorpusCase(corpusCase);
  return {
    language,
    exceptions: exceptions.map((exception) => ({
      type: exception.type,
      message: exception.message,
      frames: exception.frames.map((f) => [f.function, f.module, f.file, f.line, f.column, f.inApp ? 'in-app' : 'library'].join(' | ')),
    })),
    culprit: grouping.culprit,
    title: grouping.title,
    method: grouping.method,
    fingerprint: grouping.fingerprint,
  };
}

const byFile = new Map<string, CorpusCase[]>();
for (const corpusCase of loadCases()) byFile.set(corpusCase.file, [...(byFile.get(corpusCase.file) ?? []), corpusCase]);

for (const [file, cases] of byFile) {
  const goldenUrl = new URL(`${file.replace(/\.json$/, '')}.golden.json`, GOLDEN_DIR);
  const actual = Object.fromEntries(cases.map((corpusCase) => [corpusCase.id, goldenOf(corpusCase)]));
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(goldenUrl, `${JSON.stringify(actual, null, 2)}\n`);
  }
  const golden = existsSync(goldenUrl) ? (JSON.parse(readFileSync(goldenUrl, 'utf8')) as Record<string, unknown>) : {};
  describe(`the ${file} corpus`, () => {
    for (const corpusCase of cases) {
      it(`reads ${corpusCase.id} as its golden file says`, () => {
        assert.ok(corpusCase.id in golden, `no golden entry for ${corpusCase.id}; run with UPDATE_GOLDEN=1`);
        assert.deepEqual(actual[corpusCase.id], golden[corpusCase.id]);
      });
    }
  });
}
