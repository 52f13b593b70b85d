import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorEvent, SpanTiming } from '../../src/extract/error-event.js';
import { ManualClock } from '../../src/internal/clock.js';
import { createErrorMetrics } from '../../src/metrics/error-metrics.js';
import { createRegistry, renderMetrics } from '../../src/metrics/registry.js';
import { createSelfMetrics } from '../../src/metrics/self-metrics.js';
import { parseExposition, parsePrometheusText, sampleValue, sumSamples } from '../helpers/prom-text.js';
import { TRACE_ID, errorEvent, exporterConfig, extracted, spanTiming } from './metric-fixtures.js';

const OPENMETRICS = 'application/openmetrics-text; version=1.0.0';
const CHECKOUT_ERRORS = { service: 'checkout', environment: 'production', level: 'error', exception_type: 'TypeError', source: 'span' };
const CHECKOUT_SPANS = { service: 'checkout', span_name: 'POST /checkout', span_kind: 'SPAN_KIND_SERVER', status_code: 'STATUS_CODE_UNSET' };

function setup(config = exporterConfig()) {
  const registry = createRegistry({ defaultMetrics: false });
  const clock = new ManualClock();
  const selfMetrics = createSelfMetrics(registry);
  const metrics = createErrorMetrics({
    registry,
    config,
    clock,
    overflowCounter: selfMetrics.cardinalityOverflow,
    expiredCounter: selfMetrics.seriesExpired,
  });
  function record(events: ErrorEvent[], timings: SpanTiming[] = []): void {
    metrics.record(extracted(events, timings));
  }
  const text = async () => (await renderMetrics(registry, undefined)).body;
  const openMetrics = async () => (await renderMetrics(registry, OPENMETRICS)).body;
  return { registry, clock, metrics, record, text, openMetrics };
}

describe('error metrics', () => {
  it('counts error events by service, environment, level, exception type and source', async () => {
    const { record, text } = setup();
    record([errorEvent(), errorEvent({ source: 'log', level: 'fatal' }), errorEvent({ type: 'RangeError' })]);
    const values = parsePrometheusText(await text());
    assert.equal(sampleValue(values, 'faultline_errors_total', CHECKOUT_ERRORS), 1);
    assert.equal(sampleValue(values, 'faultline_errors_total', { ...CHECKOUT_ERRORS, source: 'log', level: 'fatal' }), 1);
    assert.equal(sampleValue(values, 'faultline_errors_total', { ...CHECKOUT_ERRORS, exception_type: 'RangeError' }), 1);
    assert.equal(sumSamples(values, 'faultline_errors_total'), 3);
  });

  it('adds identical events of one request and of later requests into one series', async () => {
    const { record, text } = setup();
    record([errorEvent(), errorEvent(), errorEvent()]);
    record([errorEvent()]);
    assert.equal(sampleValue(await text(), 'faultline_errors_total', CHECKOUT_ERRORS), 4);
  });

  it('never puts the exception message or the stack trace into a label', async () => {
    const { record, text, openMetrics } = setup();
    record([errorEvent({ message: 'card 4111-1111 declined for alice@example.com' })]);
    for (const body of [await text(), await openMetrics()]) {
      assert.ok(!body.includes('4111'), 'the message shows in the output');
      assert.ok(!body.includes('checkout.js'), 'the stack trace shows in the output');
      for (const sample of parseExposition(body).samples) {
        assert.ok(!('exception_message' in sample.labels) && !('message' in sample.labels));
      }
    }
  });

  it('keeps an unknown environment as an empty label value', async () => {
    const { record, text } = setup();
    record([errorEvent({ environment: '' })]);
    const body = await text();
    assert.match(body, /faultline_errors_total\{[^}]*environment=""/);
    assert.equal(sampleValue(body, 'faultline_errors_total', { ...CHECKOUT_ERRORS, environment: '' }), 1);
  });

  it('attaches the trace id as an exemplar in the OpenMetrics output', async () => {
    const { record, openMetrics } = setup();
    record([errorEvent()], [spanTiming({ durationSeconds: 0.25 })]);
    const exposition = parseExposition(await openMetrics());
    assert.ok(exposition.eof);
    const errors = exposition.samples.find((sample) => sample.name === 'faultline_errors_total');
    assert.deepEqual(errors?.exemplar?.labels, { trace_id: TRACE_ID });
    const bucket = exposition.samples.find((sample) => sample.name === 'faultline_span_duration_seconds_bucket' && sample.labels.le === '0.25');
    assert.deepEqual(bucket?.exemplar?.labels, { trace_id: TRACE_ID });
    assert.equal(bucket?.exemplar?.value, 0.25);
  });

  it('gives no exemplar to an event without a trace id', async () => {
    const { record, openMetrics } = setup();
    record([errorEvent({ traceId: '' })]);
    const errors = parseExposition(await openMetrics()).samples.find((sample) => sample.name === 'faultline_errors_total');
    assert.equal(errors?.value, 1);
    assert.equal(errors?.exemplar, undefined);
  });

  it('leaves exemplars out of the text output, which parses', async () => {
    const { record, text } = setup();
    record([errorEvent()], [spanTiming()]);
    const body = await text();
    assert.ok(!body.includes('trace_id'));
    assert.ok(!body.includes(TRACE_ID));
    const exposition = parseExposition(body);
    assert.ok(!exposition.eof);
    assert.ok(exposition.samples.every((sample) => sample.exemplar === undefined));
  });

  it('puts a 0.25 s span into the le="0.25" bucket and not below it', async () => {
    const { record, text } = setup();
    record([], [spanTiming({ durationSeconds: 0.25 })]);
    const values = parsePrometheusText(await text());
    assert.equal(sampleValue(values, 'faultline_span_duration_seconds_bucket', { ...CHECKOUT_SPANS, le: '0.1' }), 0);
    assert.equal(sampleValue(values, 'faultline_span_duration_seconds_bucket', { ...CHECKOUT_SPANS, le: '0.25' }), 1);
    assert.equal(sampleValue(values, 'faultline_span_duration_seconds_bucket', { ...CHECKOUT_SPANS, le: '+Inf' }), 1);
  });

  it('uses the configured duration buckets', async () => {
    const { record, text } = setup(exporterConfig({ durationBuckets: [0.5, 2] }));
    record([], [spanTiming({ durationSeconds: 1 })]);
    const buckets = parseExposition(await text()).samples
      .filter((sample) => sample.name === 'faultline_span_duration_seconds_bucket')
      .map((sample) => [sample.labels.le, sample.value]);
    assert.deepEqual(buckets, [['0.5', 0], ['2', 1], ['+Inf', 1]]);
  });

  it('counts spans and sums their durations by service, span name, kind and status', async () => {
    const { record, text } = setup();
    record([], [spanTiming({ durationSeconds: 0.5 }), spanTiming({ durationSeconds: 1.5 }), spanTiming({ statusCode: 'STATUS_CODE_ERROR' })]);
    const values = parsePrometheusText(await text());
    assert.equal(sampleValue(values, 'faultline_spans_total', CHECKOUT_SPANS), 2);
    assert.equal(sampleValue(values, 'faultline_span_duration_seconds_count', CHECKOUT_SPANS), 2);
    assert.equal(sampleValue(values, 'faultline_span_duration_seconds_sum', CHECKOUT_SPANS), 2);
    assert.equal(sampleValue(values, 'faultline_spans_total', { ...CHECKOUT_SPANS, status_code: 'STATUS_CODE_ERROR' }), 1);
  });

  it('escapes quotes, backslashes and newlines in label values', async () => {
    const { record, text, openMetrics } = setup();
    const service = 'say "hi" \\ to\nyou';
    record([errorEvent({ service })], [spanTiming({ service, spanName: 'a\\nb' })]);
    for (const body of [await text(), await openMetrics()]) {
      assert.ok(body.includes('service="say \\"hi\\" \\\\ to\\nyou"'), 'the escaped value is missing');
      assert.equal(sampleValue(body, 'faultline_errors_total', { ...CHECKOUT_ERRORS, service }), 1);
      assert.equal(sampleValue(body, 'faultline_spans_total', { ...CHECKOUT_SPANS, service, span_name: 'a\\nb' }), 1);
    }
  });

  it('names every counter with exactly one _total in both formats', async () => {
    const { record, text, openMetrics } = setup();
    record([errorEvent()], [spanTiming()]);
    const body = await text();
    assert.ok(!body.includes('_total_total'));
    assert.ok(!(await openMetrics()).includes('_total_total'));
    const exposition = parseExposition(body);
    const counters = [...exposition.types].filter(([, type]) => type === 'counter').map(([name]) => name);
    assert.ok(counters.includes('faultline_errors_total') && counters.includes('faultline_spans_total'));
    for (const name of counters) assert.match(name, /^[a-z_]+(?<!_total)_total$/);
  });

  it('bounds errors and spans each by the cardinality limit', async () => {
    const { record, metrics, text } = setup(exporterConfig({ cardinalityLimit: 2 }));
    record(
      ['A', 'B', 'C', 'D'].map((type) => errorEvent({ type })),
      ['/1', '/2', '/3'].map((spanName) => spanTiming({ spanName })),
    );
    const values = parsePrometheusText(await text());
    assert.deepEqual(metrics.seriesCount(), { errors: 2, spans: 2 });
    assert.equal(sumSamples(values, 'faultline_errors_total'), 4);
    assert.equal(sumSamples(values, 'faultline_errors_total', { exception_type: '__overflow__', service: '__overflow__' }), 2);
    assert.equal(sumSamples(values, 'faultline_spans_total'), 3);
    assert.equal(sampleValue(values, 'faultline_cardinality_overflow_total', { metric: 'faultline_errors_total' }), 2);
    assert.equal(sampleValue(values, 'faultline_cardinality_overflow_total', { metric: 'faultline_spans_total' }), 1);
    assert.equal(sampleValue(values, 'faultline_cardinality_overflow_total', { metric: 'faultline_span_duration_seconds' }), 1);
  });

  it('removes idle series on sweep by the injected clock and keeps live counts', async () => {
    const ttl = 15 * 60_000;
    const { record, metrics, clock, text } = setup(exporterConfig({ metricsExpirationMs: ttl }));
    record([errorEvent(), errorEvent({ service: 'cart' })], [spanTiming()]);
    clock.advance(ttl - 1);
    record([errorEvent()], []);
    clock.advance(1);
    metrics.sweep();
    const values = parsePrometheusText(await text());
    assert.equal(sampleValue(values, 'faultline_errors_total', CHECKOUT_ERRORS), 2);
    assert.equal(sampleValue(values, 'faultline_errors_total', { ...CHECKOUT_ERRORS, service: 'cart' }), undefined);
    assert.equal(sampleValue(values, 'faultline_spans_total', CHECKOUT_SPANS), undefined);
    assert.equal(sampleValue(values, 'faultline_span_duration_seconds_count', CHECKOUT_SPANS), undefined);
    assert.equal(sampleValue(values, 'faultline_series_expired_total', { metric: 'faultline_errors_total' }), 1);
    assert.equal(sampleValue(values, 'faultline_series_expired_total', { metric: 'faultline_spans_total' }), 1);
    assert.deepEqual(metrics.seriesCount(), { errors: 1, spans: 0 });
  });

  it('shares the overflow and expiry counters with self-metrics in either order of creation', () => {
    const registry = createRegistry({ defaultMetrics: false });
    createErrorMetrics({ registry, config: exporterConfig(), clock: new ManualClock() });
    const selfMetrics = createSelfMetrics(registry);
    assert.equal(registry.getSingleMetric('faultline_cardinality_overflow_total'), selfMetrics.cardinalityOverflow);
    assert.equal(registry.getSingleMetric('faultline_series_expired_total'), selfMetrics.seriesExpired);
  });

  it('ignores a request with neither events nor timings', async () => {
    const { record, text } = setup();
    record([], []);
    const samples = parseExposition(await text()).samples;
    assert.equal(samples.filter((sample) => sample.name.startsWith('faultline_errors') || sample.name.startsWith('faultline_span')).length, 0);
  });
});
