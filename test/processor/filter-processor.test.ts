import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FilterProcessorConfig, FilterRuleConfig } from '../../src/processor/filter/config.js';
import type { ErrorEvent, Extracted } from '../../src/extract/error-event.js';
import { createFilterProcessor } from '../../src/processor/filter/filter-processor.js';
import { errorEvent, spanTiming } from '../metrics/metric-fixtures.js';
import { buildContext, metricValue } from './build-context.js';

function rule(overrides: Partial<FilterRuleConfig>): FilterRuleConfig {
  return { name: 'r', exceptionTypes: [], message: null, attribute: null, services: [], levels: [], ...overrides };
}

function filter(rules: FilterRuleConfig[]) {
  const context = buildContext();
  const config: FilterProcessorConfig = { type: 'filter', id: 'filter/noise', rules };
  return { context, processor: createFilterProcessor(config, context).processor };
}

const batchOf = (...events: ErrorEvent[]): Extracted => ({ events, timings: [spanTiming()], skippedExceptions: 0 });
const types = (batch: Extracted) => batch.events.map((event) => event.type);

describe('the filter processor', () => {
  it('drops events whose exception type is listed exactly', () => {
    const { processor } = filter([rule({ name: 'interrupts', exceptionTypes: ['KeyboardInterrupt', 'Http404'] })]);
    const out = processor.process(
      batchOf(errorEvent({ type: 'KeyboardInterrupt' }), errorEvent({ type: 'ValueError' }), errorEvent({ type: 'Http404' })),
    );
    assert.deepEqual(types(out), ['ValueError']);
  });

  it('matches exception types written as /regex/ with flags', () => {
    const { processor } = filter([rule({ exceptionTypes: ['/^django\\.http\\./i'] })]);
    const out = processor.process(batchOf(errorEvent({ type: 'Django.http.Http404' }), errorEvent({ type: 'my.django.http.X' })));
    assert.deepEqual(types(out), ['my.django.http.X']);
  });

  it('drops by message regex', () => {
    const { processor } = filter([rule({ message: 'ECONNRESET|socket hang up' })]);
    const out = processor.process(
      batchOf(errorEvent({ message: 'read ECONNRESET' }), errorEvent({ type: 'Kept', message: 'disk full' })),
    );
    assert.deepEqual(types(out), ['Kept']);
  });

  it('drops health checks by an attribute of the span', () => {
    const { processor } = filter([rule({ name: 'health', attribute: { key: 'url.path', value: '^/health' } })]);
    const health = errorEvent({ type: 'Health', attributes: new Map([['url.path', '/healthz']]) });
    const api = errorEvent({ type: 'Api', attributes: new Map([['url.path', '/api/health']]) });
    const none = errorEvent({ type: 'None' });
    assert.deepEqual(types(processor.process(batchOf(health, api, none))), ['Api', 'None']);
  });

  it('matches an attribute by presence when no value is given, and numbers by their text', () => {
    const { processor } = filter([
      rule({ name: 'synthetic', attribute: { key: 'synthetic', value: null } }),
      rule({ name: 'not-found', attribute: { key: 'http.response.status_code', value: '^404$' } }),
    ]);
    const out = processor.process(
      batchOf(
        errorEvent({ type: 'Synthetic', attributes: new Map([['synthetic', false]]) }),
        errorEvent({ type: 'NotFound', attributes: new Map([['http.response.status_code', 404]]) }),
        errorEvent({ type: 'ServerError', attributes: new Map([['http.response.status_code', 500]]) }),
      ),
    );
    assert.deepEqual(types(out), ['ServerError']);
  });

  it('drops only events that match every field a rule gives', () => {
    const { processor } = filter([rule({ services: ['legacy'], levels: ['warning', 'info'] })]);
    const out = processor.process(
      batchOf(
        errorEvent({ type: 'A', service: 'legacy', level: 'warning' }),
        errorEvent({ type: 'B', service: 'legacy', level: 'error' }),
        errorEvent({ type: 'C', service: 'checkout', level: 'warning' }),
      ),
    );
    assert.deepEqual(types(out), ['B', 'C']);
  });

  it('counts each dropped event under the first rule that matched it', async () => {
    const { processor, context } = filter([
      rule({ name: 'interrupts', exceptionTypes: ['KeyboardInterrupt'] }),
      rule({ name: 'legacy', services: ['legacy'] }),
    ]);
    processor.process(
      batchOf(
        errorEvent({ type: 'KeyboardInterrupt', service: 'legacy' }),
        errorEvent({ type: 'KeyboardInterrupt' }),
        errorEvent({ service: 'legacy' }),
        errorEvent(),
      ),
    );
    const count = (name: string) =>
      metricValue(context, 'faultline_events_filtered_total', { processor: 'filter/noise', rule: name });
    assert.equal(await count('interrupts'), 2);
    assert.equal(await count('legacy'), 1);
  });

  it('shows every rule at zero before anything is dropped', async () => {
    const { context } = filter([rule({ name: 'quiet', levels: ['debug'] })]);
    const metric = await context.registry.getSingleMetric('faultline_events_filtered_total')!.get();
    assert.deepEqual(metric.values.map((value) => [value.labels, value.value]), [[{ processor: 'filter/noise', rule: 'quiet' }, 0]]);
  });

  it('never drops span timings', () => {
    const { processor } = filter([rule({ services: ['checkout'] })]);
    const batch = batchOf(errorEvent());
    const out = processor.process(batch);
    assert.equal(out.events.length, 0);
    assert.equal(out.timings, batch.timings);
  });

  it('hands on the same batch when nothing matched, and never changes the batch it got', () => {
    const { processor } = filter([rule({ exceptionTypes: ['Nope'] })]);
    const batch = batchOf(errorEvent(), errorEvent());
    assert.equal(processor.process(batch), batch);
    const { processor: dropping } = filter([rule({ exceptionTypes: ['TypeError'] })]);
    const events = batch.events;
    dropping.process(batch);
    assert.equal(batch.events, events);
    assert.equal(batch.events.length, 2);
  });
});
