import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createAlertMetrics } from '../../src/alert/alert-metrics.js';
import { createHaMetrics } from '../../src/alert/ha/ha-metrics.js';
import { ManualClock } from '../../src/internal/clock.js';
import { createGroupMetrics } from '../../src/group/store/group-metrics.js';
import { groupProcessorMetrics } from '../../src/group/group-processor.js';
import { createErrorMetrics } from '../../src/metrics/error-metrics.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { createSelfMetrics } from '../../src/metrics/self-metrics.js';
import { createNotifyMetrics } from '../../src/notify/notify-metrics.js';
import { createCacheMetrics } from '../../src/processor/cache-metrics.js';
import { createFilterMetrics } from '../../src/processor/filter/filter-metrics.js';
import { createIdentityMetrics } from '../../src/processor/identity/identity-metrics.js';
import { createSampleMetrics } from '../../src/processor/sample/sample-metrics.js';
import { createScrubMetrics } from '../../src/processor/scrub/scrub-metrics.js';
import { exporterConfig } from './metric-fixtures.js';

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
  createErrorMetrics({ registry, config: exporterConfig(), clock: new ManualClock() });
  createGroupMetrics({ registry, cardinalityLimit: 10, groupLabelLimit: 10, groupLabelExpirationMs: 60_000, clock: new ManualClock() });
  groupProcessorMetrics(registry);
  createAlertMetrics(registry);
  createHaMetrics(registry);
  createFilterMetrics(registry);
  createIdentityMetrics(registry);
  createScrubMetrics(registry);
  createSampleMetrics(registry);
  createIdentityMetrics(registry);
  createCacheMetrics(registry);
  createNotifyMetrics(registry);
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
