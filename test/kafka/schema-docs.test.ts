// docs/kafka.md documents the error event schema field by field: its table lists exactly the
// fields a message carries with every template field on, says which ones are always there, and
// names for each optional one the template field that turns it on.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { EVENT_FIELDS, EVENT_SCHEMA_VERSION, eventMessage, type EventField } from '../../src/kafka/event-message.js';
import { errorEvent } from '../group/event-fixtures.js';

const DOC = readFileSync(new URL('../../../docs/kafka.md', import.meta.url), 'utf8');

/** Rows of the schema table: | `field`[, `field`] | type | always or `template field` | meaning | */
function documented(): Map<string, string> {
  const section = DOC.slice(DOC.indexOf('| Field | Type | Always | Meaning |'));
  const rows = new Map<string, string>();
  for (const line of section.split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').map((cell) => cell.trim());
    for (const match of cells[1]!.matchAll(/`([a-z_]+)`/g)) rows.set(match[1]!, cells[3]!);
  }
  return rows;
}

const keysOf = (fields: readonly EventField[]) =>
  Object.keys(JSON.parse(eventMessage(errorEvent({ message: 'm', stacktrace: 's' }), new Set(fields), () => undefined).value) as object);

describe('docs/kafka.md, the error event schema', () => {
  it(`lists exactly the fields of a version ${EVENT_SCHEMA_VERSION} message with every template field on`, () => {
    assert.deepEqual([...documented().keys()].sort(), keysOf(EVENT_FIELDS).sort());
  });

  it('marks as always there exactly the fields a message with no template field carries', () => {
    const always = [...documented()].filter(([, cell]) => cell === 'yes').map(([field]) => field);
    assert.deepEqual(always.sort(), keysOf([]).sort());
  });

  it('names for each optional field the template field that adds it', () => {
    for (const [field, cell] of documented()) {
      if (cell === 'yes') continue;
      const templateField = /^`([a-z_]+)`$/.exec(cell)?.[1] as EventField | undefined;
      assert.ok(templateField !== undefined && EVENT_FIELDS.includes(templateField), `${field}: ${cell}`);
      assert.ok(keysOf([templateField]).includes(field), `${templateField} adds ${field}`);
    }
  });
});
