// Every component type in the table (src/components.ts) keeps the lifecycle contract of
// component.ts: shutdown without start is safe, shutdown twice is safe, and after start → shutdown
// a new instance of the same config starts on the same ports (its ports, timers and files were
// released). The types come from the table itself (helpers/component-table.ts).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMPONENTS } from '../src/components.js';
import { tableEntries } from './helpers/component-table.js';

describe('the lifecycle of every component type in the table', () => {
  it('covers every receiver, exporter and stage-building processor type', () => {
    const covered = tableEntries().map(({ kind, type }) => `${kind}.${type}`);
    assert.ok(covered.includes('receiver.otlp') && covered.includes('receiver.report'));
    assert.ok(covered.includes('exporter.alerts') && covered.includes('processor.identity'));
    assert.equal(covered.length, COMPONENTS.receivers.length + COMPONENTS.exporters.length + COMPONENTS.processors.length - 1);
  });

  for (const { kind, type, build } of tableEntries()) {
    describe(`${kind} ${type}`, () => {
      it('shuts down safely without having started', async () => {
        for (const component of build().components) await component.shutdown();
      });

      it('shuts down safely twice', async () => {
        const { components } = build();
        for (const component of components) await component.start();
        for (const component of [...components].reverse()) await component.shutdown();
        for (const component of [...components].reverse()) await component.shutdown();
      });

      it('lets a new instance start after start → shutdown, on the same ports', async () => {
        const first = build();
        for (const component of first.components) await component.start();
        const body = first.sameAddresses?.();
        for (const component of [...first.components].reverse()) await component.shutdown();
        const second = build({ body });
        for (const component of second.components) await component.start();
        for (const component of [...second.components].reverse()) await component.shutdown();
      });
    });
  }
});
