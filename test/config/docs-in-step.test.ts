import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { knownKeyPaths } from '../helpers/config.js';

const docs = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8');

/** The first cell of every table row that holds a dotted key path in backticks. */
function documentedKeys(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `([a-z_]+(?:\.[a-z_]+)+)` \|/gm)].map((match) => match[1]);
}

describe('docs/config.md', () => {
  it('documents exactly the keys the validator knows, in the same order', () => {
    assert.deepEqual(documentedKeys(docs), [...knownKeyPaths()]);
  });
});
