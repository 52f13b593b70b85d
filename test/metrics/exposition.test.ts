import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Gauge, Histogram, Registry, Summary, type OpenMetricsContentType } from 'prom-client';
import { ManualClock } from '../../src/internal/clock.js';
import { createErrorMetrics } from '../../src/metrics/error-metrics.js';
import { entriesReadable, renderExposition } from '../../src/metrics/exposition.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { createSelfMetrics } from '../../src/metrics/self-metrics.js';
import { parseExposition } from '../helpers/prom-text.js';
import { errorEvent, exporterConfig, extracted, spanTiming } from './metric-fixtures.js';

const TRACE = { trace_id: '0af7651916cd43dd8448eb211c80319c' };
const AWKWARD = 'a "quoted" \\ back\nslash';

function openMetricsRegistry(): Registry {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry as unknown as Registry;
}

/** Renders through prom-client's get() and through its entries; both formats must agree byte for byte. */
async function assertSameBothWays(registry: Registry): Promise<void> {
  for (const format of ['text', 'openmetrics'] as const) {
    const viaGet = await renderExposition(registry, format, { readEntries: false });
    const viaEntries = await renderExposition(registry, format);
    assert.equal(viaEntries, viaGet, `${format} differs`);
  }
}

/** Counters, gauges and histograms in every shape a sample line can take, plus a summary (get() only). */
function everyShape(registry: Registry): { collected: () => number } {
  const registers = [registry];
  let collected = 0;
  const requests = new Counter({
    name: 'shape_requests_total',
    help: `Requests, with "quotes" \\ and a\nnewline in the help.`,
    labelNames: ['route', 'code'] as string[],
    enableExemplars: true,
    registers,
  });
  requests.inc({ labels: { route: AWKWARD, code: 500 }, value: 3, exemplarLabels: TRACE });
  requests.inc({ labels: { route: '/plain', code: 200 }, value: 0.5 });
  requests.inc({ labels: { route: 'le', code: 1 } });
  const unlabelled = new Counter({ name: 'shape_unlabelled', help: 'No labels and no _total in its name.', registers });
  unlabelled.inc(7);
  new Counter({ name: 'shape_never_total', help: 'Labelled, never incremented.', labelNames: ['a'], registers });
  const temperature = new Gauge({ name: 'shape_temperature_celsius', help: 'Gauge values.', labelNames: ['room'], registers });
  temperature.set({ room: 'cellar' }, -3.25);
  temperature.set({ room: 'attic' }, Number.NaN);
  temperature.set({ room: 'sun' }, Infinity);
  temperature.set({ room: 'void' }, -Infinity);
  temperature.set({ room: 'big' }, 1e21);
  temperature.set({ room: AWKWARD }, 0);
  new Gauge({
    name: 'shape_collected',
    help: 'Filled by collect().',
    labelNames: ['kind'],
    registers,
    collect() {
      collected++;
      this.reset();
      this.set({ kind: 'fresh' }, 42);
    },
  });
  const latency = new Histogram({
    name: 'shape_latency_seconds',
    help: 'Histogram with exemplars.',
    labelNames: ['route'] as string[],
    buckets: [0.1, 1, 2.5, 5],
    enableExemplars: true,
    registers,
  });
  latency.observe({ labels: { route: AWKWARD }, value: 0.05, exemplarLabels: TRACE });
  latency.observe({ labels: { route: AWKWARD }, value: 2, exemplarLabels: { trace_id: 'x"y' } });
  latency.observe({ labels: { route: AWKWARD }, value: 60, exemplarLabels: TRACE }); // +Inf exemplar
  latency.observe({ labels: { route: '/plain' }, value: 1 });
  latency.zero({ route: '/idle' });
  const sizes = new Histogram({ name: 'shape_size_bytes', help: 'Unlabelled, default buckets.', registers });
  sizes.observe(0.3);
  sizes.observe(12);
  const quantiles = new Summary({ name: 'shape_quantiles_seconds', help: 'Rendered through get().', labelNames: ['a'], registers });
  quantiles.observe({ a: 'b' }, 0.2);
  return { collected: () => collected };
}

describe('exposition from prom-client entries', () => {
  it('reads entries on the installed prom-client, so the comparisons below test both paths', async () => {
    assert.equal(await entriesReadable(), true);
  });

  it('renders counters, gauges, histograms and exemplars byte for byte as get() does', async () => {
    const registry = openMetricsRegistry();
    everyShape(registry);
    await assertSameBothWays(registry);
    const text = await renderExposition(registry, 'text');
    assert.ok(text.includes('shape_latency_seconds_bucket{route="a \\"quoted\\" \\\\ back\\nslash",le="+Inf"} 3\n'));
    assert.ok(text.includes('shape_unlabelled_total 7\n'));
    const openMetrics = await renderExposition(registry, 'openmetrics');
    assert.ok(openMetrics.includes('le="0.1"} 1 # {trace_id="0af7651916cd43dd8448eb211c80319c"} 0.05 '));
    assert.ok(openMetrics.includes('le="2.5"} 2 # {trace_id="x\\"y"} 2 '));
    assert.ok(openMetrics.includes('le="5.0"} 2\n'));
    assert.ok(openMetrics.includes('le="+Inf"} 3 # {trace_id="0af7651916cd43dd8448eb211c80319c"} 60 '));
    assert.ok(openMetrics.endsWith('# EOF\n'));
  });

  it('renders Faultline own metrics byte for byte as get() does', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const selfMetrics = createSelfMetrics(registry, { version: '9.9.9' });
    const errorMetrics = createErrorMetrics({ registry, config: exporterConfig(), clock: new ManualClock() });
    selfMetrics.requestDuration.observe({ receiver: 'otlp', transport: 'http', signal: 'logs' }, 0.02);
    errorMetrics.record(
      extracted(
        [errorEvent({ service: AWKWARD }), errorEvent({ type: 'RangeError' })],
        [spanTiming({ spanName: 'GET /x"y', durationSeconds: 0.3 }), spanTiming({ durationSeconds: 42 })],
      ),
    );
    await assertSameBothWays(registry);
  });

  it('renders an empty registry as get() does', async () => {
    await assertSameBothWays(openMetricsRegistry());
    assert.equal(await renderExposition(openMetricsRegistry(), 'text'), '');
    assert.equal(await renderExposition(openMetricsRegistry(), 'openmetrics'), '# EOF\n');
  });

  it('calls collect() once per render before reading the values', async () => {
    const registry = openMetricsRegistry();
    const { collected } = everyShape(registry);
    const before = collected();
    const text = await renderExposition(registry, 'text');
    assert.equal(collected(), before + 1);
    assert.ok(text.includes('shape_collected{kind="fresh"} 42\n'));
  });

  it('renders thousands of series across slices byte for byte as get() does', async () => {
    const registry = openMetricsRegistry();
    const labelNames: string[] = ['service', 'route'];
    const calls = new Counter({ name: 'many_calls_total', help: 'Many series.', labelNames, enableExemplars: true, registers: [registry] });
    const latency = new Histogram({ name: 'many_latency_seconds', help: 'Many series.', labelNames, enableExemplars: true, registers: [registry] });
    for (let i = 0; i < 3_000; i++) {
      const labels = { service: `svc-${i % 7}`, route: `/r/${i}"` };
      calls.inc({ labels, value: i + 1, exemplarLabels: i % 3 === 0 ? TRACE : {} });
      latency.observe({ labels, value: (i % 50) / 10, exemplarLabels: i % 5 === 0 ? TRACE : {} });
    }
    await assertSameBothWays(registry);
    const samples = parseExposition(await renderExposition(registry, 'openmetrics')).samples;
    assert.equal(samples.filter((sample) => sample.name === 'many_latency_seconds_count').length, 3_000);
  });

  it('lets the event loop run between the series of one large histogram', async () => {
    for (const readEntries of [true, false]) {
      const registry = openMetricsRegistry();
      const latency = new Histogram({ name: 'large_seconds', help: 'One large metric.', labelNames: ['route'], registers: [registry] });
      for (let i = 0; i < 2_000; i++) latency.observe({ route: `/r/${i}` }, 0.01);
      // Runs at the render's first yield: only a render that reads series after yielding sees it.
      setImmediate(() => latency.observe({ route: '/r/1999' }, 0.01));
      const text = await renderExposition(registry, 'text', { readEntries });
      const lastCount = text.includes('large_seconds_count{route="/r/1999"} 2\n');
      assert.equal(lastCount, readEntries, readEntries ? 'the histogram was read in one piece' : 'get() read after a yield');
    }
  });
});
