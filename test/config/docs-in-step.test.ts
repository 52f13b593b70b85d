import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { INVALID, type ConfigProblem } from '../../src/config/schema.js';
import { knownKeyPaths, statedDefaults } from '../helpers/config.js';

const docs = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8');

/** The first cell of every table row that holds a dotted key path in backticks (`*` stands for any channel type). */
function documentedKeys(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `([a-z_]+(?:\.(?:[a-z_]+|\*))+)` \|/gm)].map((match) => match[1]);
}

const CHANNELS = 'exporters.alerts.channels.';

/**
 * The key paths as docs/config.md states them: a channel key every channel type has (the delivery
 * keys) is stated once, as `exporters.alerts.channels.*.<key>`, after the keys of each type.
 */
function statedOnce(keys: readonly string[]): string[] {
  const byType = new Map<string, string[]>();
  for (const key of keys.filter((k) => k.startsWith(CHANNELS))) {
    const [type, ...rest] = key.slice(CHANNELS.length).split('.');
    byType.set(type!, [...(byType.get(type!) ?? []), rest.join('.')]);
  }
  const lists = [...byType.values()];
  const shared = (lists[0] ?? []).filter((rest) => lists.every((list) => list.includes(rest)));
  const isShared = (key: string) => key.startsWith(CHANNELS) && shared.includes(key.slice(CHANNELS.length).split('.').slice(1).join('.'));
  const kept = keys.filter((key) => !isShared(key));
  const lastChannelKey = kept.map((key) => key.startsWith(CHANNELS)).lastIndexOf(true);
  kept.splice(lastChannelKey + 1, 0, ...shared.map((rest) => `${CHANNELS}*.${rest}`));
  return kept;
}

describe('docs/config.md', () => {
  it('documents exactly the keys the validator knows, in the same order', () => {
    assert.deepEqual(documentedKeys(docs), statedOnce(knownKeyPaths()));
  });

  it('states the delivery keys once for every channel type, not once per type', () => {
    const stated = statedOnce(knownKeyPaths());
    assert.ok(stated.includes('exporters.alerts.channels.*.timeout'));
    assert.ok(!stated.includes('exporters.alerts.channels.slack.timeout'));
    assert.ok(stated.includes('exporters.alerts.channels.slack.url'));
  });

  it('states every default the schema fills, read back through the type of its key, in the Default column', () => {
    const cells = defaultCells(docs);
    const checked: string[] = [];
    const wrong: string[] = [];
    for (const stated of statedDefaults()) {
      const cell = cells.get(stated.path) ?? cells.get(wildcard(stated.path));
      const literal = cell === undefined ? undefined : /^`([^`]*)`/.exec(cell)?.[1];
      if (literal === undefined) continue;
      const problems: ConfigProblem[] = [];
      const documented = stated.type.decode(parse(literal === '' ? '""' : literal), stated.path, problems);
      checked.push(stated.path);
      if (documented === INVALID || JSON.stringify(documented) !== JSON.stringify(stated.value)) {
        wrong.push(`${stated.path}: docs say ${literal}, the schema fills ${JSON.stringify(stated.value)}`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(checked.length >= 120, `only ${checked.length} defaults were checked`);
  });
});

/** Key path → its Default cell, for every table row of a key path. */
function defaultCells(markdown: string): Map<string, string> {
  const cells = new Map<string, string>();
  for (const match of markdown.matchAll(/^\| `([a-z_]+(?:\.(?:[a-z_]+|\*))+)` \|[^|]*\|([^|]*)\|/gm)) cells.set(match[1]!, match[2]!.trim());
  return cells;
}

/** `exporters.alerts.channels.slack.timeout` → `exporters.alerts.channels.*.timeout`. */
function wildcard(path: string): string {
  if (!path.startsWith(CHANNELS)) return path;
  const [, ...rest] = path.slice(CHANNELS.length).split('.');
  return `${CHANNELS}*.${rest.join('.')}`;
}
