import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/internal/clock.js';
import { createBoundedSeries, EXEMPLAR_INTERVAL_MS, OVERFLOW_LABEL_VALUE, type BoundedSeries } from '../../src/metrics/bounded-series.js';
import { createRegistry, renderMetrics } from '../../src/metrics/registry.js';
import { limitCounters } from '../../src/metrics/self-metrics.js';
import { parseExposition, parsePrometheusText, sampleValue, sumSamples } from '../helpers/prom-text.js';

const TTL = 60_000;
const OVERFLOW = { route: OVERFLOW_LABEL_VALUE, status: OVERFLOW_LABEL_VALUE };

function setup(options: { limit?: number; ttl?: number; histogram?: boolean } = {}) {
  const registry = createRegistry({ defaultMetrics: false });
  const clock = new ManualClock();
  const { cardinalityOverflow, seriesExpired } = limitCounters(registry);
  const series = createBoundedSeries({
    registry,
    labelNames: ['route', 'status'],
    counter: { name: 'test_requests_total', help: 'Requests.', exemplars: true },
    histogram: options.histogram ? { name: 'test_duration_seconds', help: 'Durations.', buckets: [0.1, 0.25, 1], exemplars: true } : undefined,
    cardinalityLimit: options.limit ?? 3,
    expirationMs: options.ttl ?? TTL,
    overflowCounter: cardinalityOverflow,
    expiredCounter: seriesExpired,
  });
  const values = ['', ''];
  function update(route: string, status = '200', seconds = NaN, traceId = ''): void {
    values[0] = route;
    values[1] = status;
    series.update(values, clock.now(), traceId, seconds);
  }
  async function scrape(): Promise<Map<string, number>> {
    return parsePrometheusText((await renderMetrics(registry, undefined)).body);
  }
  return { registry, clock, series, update, scrape };
}

function batch(series: BoundedSeries, work: () => void): void {
  work();
  series.flush();
}

describe('bounded series', () => {
  it('folds the fourth label set into one __overflow__ series when the limit is three', async () => {
    const { series, update, scrape } = setup({ limit: 3 });
    batch(series, () => {
      update('/a');
      update('/a');
      update('/b');
      update('/c');
      update('/d');
    });
    const values = await scrape();
    assert.equal(sampleValue(values, 'test_requests_total', { route: '/a', status: '200' }), 2);
    assert.equal(sampleValue(values, 'test_requests_total', { route: '/d', status: '200' }), undefined);
    assert.equal(sampleValue(values, 'test_requests_total', OVERFLOW), 1);
    assert.equal(sumSamples(values, 'test_requests_total'), 5);
    assert.equal(sampleValue(values, 'faultline_cardinality_overflow_total', { metric: 'test_requests_total' }), 1);
    assert.equal(series.size, 3);
  });

  it('keeps counting known label sets after the limit is reached', async () => {
    const { series, update, scrape } = setup({ limit: 1 });
    batch(series, () => {
      update('/a');
      update('/b');
    });
    batch(series, () => update('/a'));
    const values = await scrape();
    assert.equal(sampleValue(values, 'test_requests_total', { route: '/a', status: '200' }), 2);
    assert.equal(sampleValue(values, 'test_requests_total', OVERFLOW), 1);
  });

  it('counts every folded update in faultline_cardinality_overflow_total', async () => {
    const { series, update, scrape } = setup({ limit: 1 });
    batch(series, () => {
      update('/a');
      update('/b');
      update('/c');
    });
    batch(series, () => update('/c'));
    const values = await scrape();
    assert.equal(sampleValue(values, 'test_requests_total', OVERFLOW), 3);
    assert.equal(sampleValue(values, 'faultline_cardinality_overflow_total', { metric: 'test_requests_total' }), 3);
  });

  it('reports overflow for both metrics when a counter and a histogram share the bound', async () => {
    const { series, update, scrape } = setup({ limit: 1, histogram: true });
    batch(series, () => {
      update('/a', '200', 0.2);
      update('/b', '200', 0.3);
    });
    const values = await scrape();
    assert.equal(sampleValue(values, 'test_duration_seconds_count', OVERFLOW), 1);
    assert.equal(sampleValue(values, 'test_duration_seconds_sum', OVERFLOW), 0.3);
    assert.equal(sampleValue(values, 'faultline_cardinality_overflow_total', { metric: 'test_duration_seconds' }), 1);
    assert.equal(sampleValue(values, 'faultline_cardinality_overflow_total', { metric: 'test_requests_total' }), 1);
  });

  it('removes series idle for the expiration time and keeps the live ones with their counts', async () => {
    const { series, clock, update, scrape } = setup({ histogram: true });
    batch(series, () => {
      update('/a', '200', 0.2);
      update('/b', '500', 0.2);
    });
    clock.advance(TTL / 2);
    batch(series, () => update('/a', '200', 0.2));
    clock.advance(TTL / 2);
    assert.equal(series.sweep(clock.now()), 1);
    const values = await scrape();
    assert.equal(sampleValue(values, 'test_requests_total', { route: '/a', status: '200' }), 2);
    assert.equal(sampleValue(values, 'test_duration_seconds_count', { route: '/a', status: '200' }), 2);
    assert.equal(sampleValue(values, 'test_requests_total', { route: '/b', status: '500' }), undefined);
    assert.equal(sampleValue(values, 'test_duration_seconds_count', { route: '/b', status: '500' }), undefined);
    assert.equal(sampleValue(values, 'faultline_series_expired_total', { metric: 'test_requests_total' }), 1);
    assert.equal(sampleValue(values, 'faultline_series_expired_total', { metric: 'test_duration_seconds' }), 1);
    assert.equal(series.size, 1);
  });

  it('keeps a series one millisecond before it expires', async () => {
    const { series, clock, update, scrape } = setup();
    batch(series, () => update('/a'));
    clock.advance(TTL - 1);
    assert.equal(series.sweep(clock.now()), 0);
    assert.equal(sampleValue(await scrape(), 'test_requests_total', { route: '/a', status: '200' }), 1);
    clock.advance(1);
    assert.equal(series.sweep(clock.now()), 1);
    assert.equal(sampleValue(await scrape(), 'test_requests_total', { route: '/a', status: '200' }), undefined);
  });

  it('gives the room of expired series to new label sets and expires the overflow series too', async () => {
    const { series, clock, update, scrape } = setup({ limit: 1 });
    batch(series, () => {
      update('/a');
      update('/b');
    });
    clock.advance(TTL);
    assert.equal(series.sweep(clock.now()), 2);
    batch(series, () => update('/c'));
    const values = await scrape();
    assert.equal(sampleValue(values, 'test_requests_total', { route: '/c', status: '200' }), 1);
    assert.equal(sampleValue(values, 'test_requests_total', OVERFLOW), undefined);
    assert.equal(sumSamples(values, 'test_requests_total'), 1);
  });

  it('lets memory follow the live label sets when many come and go', async () => {
    const { series, clock, update, scrape } = setup({ limit: 100_000 });
    for (let round = 0; round < 3; round++) {
      batch(series, () => {
        for (let i = 0; i < 10_000; i++) update(`/r${round}/${i}`, String(i % 7));
      });
      assert.equal(series.size, 10_000);
      clock.advance(TTL);
      series.sweep(clock.now());
      assert.equal(series.size, 0);
    }
    const values = await scrape();
    assert.equal(sumSamples(values, 'test_requests_total'), 0);
    assert.equal(sampleValue(values, 'faultline_series_expired_total', { metric: 'test_requests_total' }), 30_000);
  });

  it('never expires series when the expiration is zero', async () => {
    const { series, clock, update, scrape } = setup({ ttl: 0 });
    batch(series, () => update('/a'));
    clock.advance(365 * 24 * 3_600_000);
    assert.equal(series.sweep(clock.now()), 0);
    assert.equal(sampleValue(await scrape(), 'test_requests_total', { route: '/a', status: '200' }), 1);
  });

  it('writes one counter increment per label set per batch', () => {
    const { series, update } = setup();
    const counter = series.counter!;
    let calls = 0;
    const inc = counter.inc.bind(counter);
    counter.inc = ((...args: Parameters<typeof inc>) => {
      calls++;
      return inc(...args);
    }) as typeof counter.inc;
    batch(series, () => {
      for (let i = 0; i < 100; i++) update(i % 2 === 0 ? '/a' : '/b');
    });
    assert.equal(calls, 2);
  });

  it('skips durations that are not finite and observes negative ones as zero', async () => {
    const { series, update, scrape } = setup({ histogram: true });
    batch(series, () => {
      update('/a', '200', NaN);
      update('/a', '200', Infinity);
      update('/a', '200', -3);
    });
    const values = await scrape();
    assert.equal(sampleValue(values, 'test_requests_total', { route: '/a', status: '200' }), 3);
    assert.equal(sampleValue(values, 'test_duration_seconds_count', { route: '/a', status: '200' }), 1);
    assert.equal(sampleValue(values, 'test_duration_seconds_bucket', { route: '/a', status: '200', le: '0.1' }), 1);
  });

  it('gives no exemplar to a trace id too long for an exemplar instead of throwing', async () => {
    const { series, registry, update } = setup({ histogram: true });
    batch(series, () => update('/a', '200', 0.2, 'f'.repeat(200)));
    const { body } = await renderMetrics(registry, 'application/openmetrics-text');
    assert.ok(parseExposition(body).samples.every((sample) => sample.exemplar === undefined));
  });

  it('replaces an exemplar at most once per interval unless a slower span comes', async () => {
    const { series, registry, clock, update } = setup({ histogram: true });
    const exemplars = async () => {
      const { body } = await renderMetrics(registry, 'application/openmetrics-text');
      const samples = parseExposition(body).samples.filter((sample) => sample.exemplar);
      return samples.map((sample) => `${sample.name}${sample.labels.le ? `@${sample.labels.le}` : ''}=${sample.exemplar!.labels.trace_id}`).sort();
    };
    batch(series, () => update('/a', '200', 0.2, 'first'));
    clock.advance(10);
    batch(series, () => update('/a', '200', 0.2, 'faster'));
    assert.deepEqual(await exemplars(), ['test_duration_seconds_bucket@0.25=first', 'test_requests_total=first']);
    clock.advance(10);
    batch(series, () => update('/a', '200', 0.9, 'slower'));
    assert.deepEqual(await exemplars(), [
      'test_duration_seconds_bucket@0.25=first',
      'test_duration_seconds_bucket@1.0=slower',
      'test_requests_total=first',
    ]);
    clock.advance(EXEMPLAR_INTERVAL_MS);
    batch(series, () => update('/a', '200', 0.2, 'later'));
    assert.deepEqual(await exemplars(), [
      'test_duration_seconds_bucket@0.25=later',
      'test_duration_seconds_bucket@1.0=slower',
      'test_requests_total=later',
    ]);
  });
});
