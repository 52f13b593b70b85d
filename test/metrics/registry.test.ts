import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/internal/clock.js';
import { createErrorMetrics } from '../../src/metrics/error-metrics.js';
import {
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_TEXT_CONTENT_TYPE,
  createRegistry,
  negotiateFormat,
  renderMetrics,
} from '../../src/metrics/registry.js';
import { createSelfMetrics } from '../../src/metrics/self-metrics.js';
import { PEERS, requirePeer } from '../helpers/peers.js';
import { parseExposition, sampleValue } from '../helpers/prom-text.js';
import { errorEvent, exporterConfig, extracted, spanTiming } from './metric-fixtures.js';

/** What Prometheus 2.x sends when scraping. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const ERRORS = { service: 'checkout', environment: 'production', level: 'error', exception_type: 'TypeError', source: 'span' };

function instance(options: { defaultMetrics?: boolean } = {}) {
  const registry = createRegistry(options);
  const selfMetrics = createSelfMetrics(registry, { version: '9.9.9' });
  const errorMetrics = createErrorMetrics({ registry, config: exporterConfig(), clock: new ManualClock() });
  return { registry, selfMetrics, errorMetrics };
}

describe('registry and /metrics rendering', () => {
  it('creates a new registry each time so two instances live in one process', async () => {
    const first = instance();
    const second = instance();
    first.errorMetrics.record(extracted([errorEvent()], []));
    assert.equal(sampleValue((await renderMetrics(first.registry, undefined)).body, 'faultline_errors_total', ERRORS), 1);
    assert.equal(sampleValue((await renderMetrics(second.registry, undefined)).body, 'faultline_errors_total', ERRORS), undefined);
  });

  it('collects the process and nodejs default metrics into the registry', async () => {
    const { registry } = instance();
    const types = parseExposition((await renderMetrics(registry, undefined)).body).types;
    assert.equal(types.get('process_cpu_user_seconds_total'), 'counter');
    assert.equal(types.get('nodejs_heap_size_used_bytes'), 'gauge');
  });

  it('serves Prometheus text 0.0.4 when no Accept header asks for OpenMetrics', async () => {
    const { registry } = instance();
    for (const accept of [undefined, '', '*/*', 'text/plain; version=0.0.4']) {
      const { contentType, body } = await renderMetrics(registry, accept);
      assert.equal(contentType, PROMETHEUS_TEXT_CONTENT_TYPE);
      assert.ok(!parseExposition(body).eof);
    }
  });

  it('serves OpenMetrics when the Accept header asks for it', async () => {
    const { registry } = instance();
    for (const accept of [PROMETHEUS_ACCEPT, 'application/openmetrics-text']) {
      const { contentType, body } = await renderMetrics(registry, accept);
      assert.equal(contentType, OPENMETRICS_CONTENT_TYPE);
      assert.ok(body.endsWith('# EOF\n'));
      assert.equal(parseExposition(body).types.get('faultline_errors'), 'counter');
    }
  });

  it('prefers text when the client ranks it above OpenMetrics or refuses OpenMetrics', () => {
    assert.equal(negotiateFormat('text/plain;q=1, application/openmetrics-text;q=0.5'), 'text');
    assert.equal(negotiateFormat('application/openmetrics-text;q=0'), 'text');
    assert.equal(negotiateFormat('Application/OpenMetrics-Text; Q=0.9, text/plain;q=0.5'), 'openmetrics');
  });

  it('keeps counter names ending in _total in text rendered after OpenMetrics', async () => {
    const { registry, errorMetrics } = instance();
    errorMetrics.record(extracted([errorEvent()], []));
    await renderMetrics(registry, PROMETHEUS_ACCEPT);
    await registry.metrics();
    const { body } = await renderMetrics(registry, undefined);
    assert.equal(sampleValue(body, 'faultline_errors_total', ERRORS), 1);
    assert.equal(parseExposition(body).types.get('faultline_errors_total'), 'counter');
    assert.equal(parseExposition(body).types.get('faultline_errors'), undefined);
  });

  it('renders text and OpenMetrics at the same time without one changing the other', async () => {
    const { registry, errorMetrics } = instance();
    errorMetrics.record(extracted([errorEvent()], [spanTiming()]));
    const [text, openMetrics] = await Promise.all([renderMetrics(registry, undefined), renderMetrics(registry, PROMETHEUS_ACCEPT)]);
    assert.equal(sampleValue(text.body, 'faultline_errors_total', ERRORS), 1);
    assert.equal(sampleValue(openMetrics.body, 'faultline_errors_total', ERRORS), 1);
    assert.ok(!text.body.includes('# {'));
    assert.ok(openMetrics.body.includes('# {trace_id='));
  });

  it('yields to the event loop while rendering a large registry', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const errorMetrics = createErrorMetrics({ registry, config: exporterConfig({ cardinalityLimit: 50_000 }), clock: new ManualClock() });
    errorMetrics.record(extracted([], Array.from({ length: 2_000 }, (_, i) => spanTiming({ spanName: `/route/${i}` }))));
    let ticked = false;
    setImmediate(() => {
      ticked = true;
    });
    const { body } = await renderMetrics(registry, undefined);
    assert.ok(ticked, 'the render never let the event loop run');
    assert.equal(parseExposition(body).samples.filter((sample) => sample.name === 'faultline_spans_total').length, 2_000);
  });

  it('passes promtool check metrics, label escaping included', async () => {
    const promtool = requirePeer(PEERS.promtool);
    const { registry, errorMetrics, selfMetrics } = instance({ defaultMetrics: false });
    selfMetrics.requests.inc({ receiver: 'otlp', transport: 'grpc', signal: 'traces', outcome: 'success' });
    selfMetrics.requestDuration.observe({ receiver: 'otlp', transport: 'http', signal: 'logs' }, 0.02);
    errorMetrics.record(
      extracted([errorEvent({ service: 'a "quoted" \\ back\nslash' })], [spanTiming({ spanName: 'GET /x"y' })]),
    );
    const { body } = await renderMetrics(registry, undefined);
    const result = spawnSync(promtool, ['check', 'metrics'], { input: body, encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });

  it('passes the reference OpenMetrics parser, exemplars included', async () => {
    const python = requirePeer(PEERS.openMetricsParser);
    const { registry, errorMetrics } = instance();
    errorMetrics.record(extracted([errorEvent({ service: 'a "q" \\ b\nc' })], [spanTiming({ durationSeconds: 0.25 })]));
    const { body } = await renderMetrics(registry, PROMETHEUS_ACCEPT);
    const script = [
      'import sys',
      'from prometheus_client.openmetrics.parser import text_string_to_metric_families',
      'families = list(text_string_to_metric_families(sys.stdin.read()))',
      'print(sum(1 for f in families for s in f.samples if s.exemplar))',
    ].join('\n');
    const result = spawnSync(python, ['-c', script], { input: body, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), '2');
  });
});
