// Faultline reads and writes prom-client's internals on its hot paths: histogram-entry.ts adds a
// batch of observations straight into a Histogram's entry, and series-entries.ts reads every
// metric's entries to render /metrics in slices. Both check the internals at load and quietly fall
// back to the slow public paths when they differ, so an upgrade would only show as lost speed.
// package.json pins prom-client exactly, and this test names every internal relied on, so that a
// new version fails here, loudly, before it is pinned.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { entriesReadable } from '../../src/metrics/exposition.js';
import { attachHistogramEntry, HISTOGRAM_ENTRIES_WRITABLE } from '../../src/metrics/histogram-entry.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { readSeriesEntries } from '../../src/metrics/series-entries.js';

// dist/test/metrics → the repository root.
const ROOT = new URL('../../../', import.meta.url);
const require = createRequire(import.meta.url);

describe('the prom-client internals Faultline relies on', () => {
  it('is exactly the version package.json and the lock file pin', () => {
    const wanted = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')).dependencies['prom-client'];
    assert.match(wanted, /^\d+\.\d+\.\d+$/, 'pin prom-client exactly (no ^ or ~): its internals are used');
    const lock = JSON.parse(readFileSync(new URL('package-lock.json', ROOT), 'utf8'));
    assert.equal(lock.packages['node_modules/prom-client'].version, wanted);
    assert.equal(require('prom-client/package.json').version, wanted);
  });

  it('exports hashObject(labels, sortedLabelNames) from lib/util.js, as a Histogram files its entries', () => {
    const { hashObject } = require('prom-client/lib/util.js') as { hashObject: (labels: object, names: readonly string[]) => string };
    assert.equal(typeof hashObject, 'function');
    const histogram = new Histogram({ name: 'h', help: 'h', labelNames: ['b', 'a'], buckets: [1], registers: [] });
    histogram.observe({ a: 'x', b: 'y' }, 0.5);
    const internals = histogram as unknown as { hashMap: Record<string, unknown>; sortedLabelNames: string[] };
    assert.deepEqual(internals.sortedLabelNames, ['a', 'b']);
    assert.deepEqual(Object.keys(internals.hashMap), [hashObject({ a: 'x', b: 'y' }, internals.sortedLabelNames)]);
  });

  it("keeps a Histogram's series in hashMap as { labels, bucketValues, sum, count }, created by zero() and kept by observe()", () => {
    assert.equal(HISTOGRAM_ENTRIES_WRITABLE, true, 'histogram-entry.ts probe failed: bounded-series observes value by value');
    const histogram = new Histogram({ name: 'h', help: 'h', labelNames: ['route'], buckets: [0.1, 1], registers: [] });
    const attached = attachHistogramEntry(histogram, { route: '/a' }, null);
    assert.ok(attached);
    for (const key of ['labels', 'bucketValues', 'sum', 'count']) assert.ok(key in attached.entry, key);
    attached.entry.bucketValues[1] += 2;
    attached.entry.sum += 1.5;
    attached.entry.count += 2;
    histogram.observe({ route: '/a' }, 0.05);
    assert.equal(attachHistogramEntry(histogram, { route: '/a' }, attached), attached, 'observe() keeps the same entry');
    assert.equal(attached.entry.count, 3);
  });

  it('keeps Counter, Gauge and Histogram series in hashMap (and a histogram upperBounds) that read as get() does', async () => {
    assert.equal(await entriesReadable(), true, 'exposition.ts probe failed: /metrics renders through get()');
    const labelNames: string[] = ['k'];
    const counter = new Counter({ name: 'c_total', help: 'c', labelNames, enableExemplars: true, registers: [] });
    counter.inc({ labels: { k: 'v' }, value: 2, exemplarLabels: { trace_id: 't' } });
    const gauge = new Gauge({
      name: 'g',
      help: 'g',
      labelNames: ['k'],
      registers: [],
      collect() {
        this.set({ k: 'collected' }, 7);
      },
    });
    const histogram = new Histogram({ name: 'h', help: 'h', labelNames: ['k'], buckets: [1, 2], registers: [] });
    histogram.observe({ k: 'v' }, 1.5);

    const counted = await readSeriesEntries(counter);
    assert.ok(counted?.type === 'counter');
    assert.deepEqual(counted.entries.map(({ labels, value }) => ({ labels, value })), [{ labels: { k: 'v' }, value: 2 }]);
    assert.deepEqual(counted.entries[0]!.exemplar?.labelSet, { trace_id: 't' });
    const gauged = await readSeriesEntries(gauge);
    assert.ok(gauged?.type === 'gauge');
    assert.deepEqual(gauged.entries.map(({ labels, value }) => ({ labels, value })), [{ labels: { k: 'collected' }, value: 7 }], 'collect() ran first');
    const observed = await readSeriesEntries(histogram);
    assert.ok(observed?.type === 'histogram');
    assert.deepEqual(observed.upperBounds, [1, 2]);
    assert.deepEqual(observed.entries.map(({ labels, sum, count }) => ({ labels, sum, count })), [{ labels: { k: 'v' }, sum: 1.5, count: 1 }]);
  });

  it('lists metrics with name, help, type, labelNames and get() on a Registry subclass that overrides metrics()', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    assert.ok(registry instanceof Registry);
    new Counter({ name: 'faultline_probe_total', help: 'p', labelNames: ['a'], registers: [registry] }).inc({ a: 'x' });
    const [metric] = registry.getMetricsAsArray() as unknown as { name: string; help: string; type: string; labelNames: string[]; get(): Promise<unknown> }[];
    assert.deepEqual({ name: metric!.name, help: metric!.help, type: metric!.type, labelNames: [...metric!.labelNames] }, {
      name: 'faultline_probe_total',
      help: 'p',
      type: 'counter',
      labelNames: ['a'],
    });
    assert.equal(typeof metric!.get, 'function');
    assert.match(await registry.metrics(), /^faultline_probe_total\{a="x"\} 1$/m);
  });
});
