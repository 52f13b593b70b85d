// docs/metrics.md lists exactly the metrics Faultline registers, with their types and labels: the
// service's self-metrics plus what every component type of the table (src/components.ts)
// registers when built, so a new component's metrics cannot go undocumented.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createRegistry } from '../../src/metrics/registry.js';
import { createSelfMetrics } from '../../src/metrics/self-metrics.js';
import { STORAGE_DEFAULT } from '../../src/config/storage.js';
import { createLogger } from '../../src/internal/logger.js';
import { createStorageComponent } from '../../src/storage/storage-component.js';
import { tableEntries } from '../helpers/component-table.js';

/** Bodies that switch on the parts of a type that register metrics of their own (alerts' HA lease). */
const METRIC_BODIES: Readonly<Record<string, unknown>> = {
  alerts: { ha: {} },
};

// dist/test/metrics → the repository root.
const DOC = new URL('../../../docs/metrics.md', import.meta.url);

interface Documented {
  readonly type: string;
  readonly labels: readonly string[];
}

/** Table rows whose first cell is a backticked faultline_* name: | `name` | type | `a`, `b` | … */
function documentedMetrics(markdown: string): Map<string, Documented> {
  const documented = new Map<string, Documented>();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`(faultline_[a-z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!name) continue;
    assert.ok(!documented.has(name), `${name} is documented twice`);
    const labels = [...(cells[3] ?? '').matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!);
    documented.set(name, { type: cells[2] ?? '', labels });
  }
  return documented;
}

function registeredMetrics(): Map<string, Documented> {
  const registry = createRegistry({ defaultMetrics: false });
  createSelfMetrics(registry);
  createStorageComponent({ config: STORAGE_DEFAULT, dataDir: '/nonexistent', registry, logger: createLogger('silent'), now: Date.now });
  for (const entry of tableEntries()) entry.build({ registry, body: METRIC_BODIES[entry.type] });
  return namesIn(registry);
}

function namesIn(registry: ReturnType<typeof createRegistry>): Map<string, Documented> {
  const registered = new Map<string, Documented>();
  for (const metric of registry.getMetricsAsArray() as unknown as { name: string; type: string; labelNames: string[] }[]) {
    if (metric.name.startsWith('faultline_')) registered.set(metric.name, { type: metric.type, labels: [...metric.labelNames] });
  }
  return registered;
}

describe('docs/metrics.md', () => {
  it('documents exactly the faultline metrics the code registers', () => {
    const documented = documentedMetrics(readFileSync(DOC, 'utf8'));
    const registered = registeredMetrics();
    assert.deepEqual([...documented.keys()].sort(), [...registered.keys()].sort());
  });

  it('gives each metric the type and labels the code gives it', () => {
    const documented = documentedMetrics(readFileSync(DOC, 'utf8'));
    for (const [name, metric] of registeredMetrics()) {
      assert.deepEqual(documented.get(name), metric, name);
    }
  });
});
