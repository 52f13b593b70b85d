import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorEvent, Extracted } from '../../src/extract/error-event.js';
import type { Grouping } from '../../src/group/grouping.js';
import { createSampleProcessor } from '../../src/processor/sample/sample-processor.js';
import { errorEvent } from '../metrics/metric-fixtures.js';
import { buildContext, metricValue } from './build-context.js';

function sampler(samplesPerMinute: number, maxGroups = 100) {
  const context = buildContext();
  const built = createSampleProcessor({ type: 'sample', id: 'sample', samplesPerMinute, maxGroups }, context);
  return { context, processor: built.processor };
}

const batchOf = (events: ErrorEvent[]): Extracted => ({ events, timings: [], skippedExceptions: 0 });
const times = (count: number, event: ErrorEvent) => Array.from({ length: count }, () => event);
const kept = (batch: Extracted) => batch.events.map((event) => event.keepSample !== false);

function grouped(fingerprint: string): Grouping {
  return { fingerprint, method: 'frames', rule: '', version: 1, title: 't', culprit: '', frames: [] };
}

describe('the sample processor', () => {
  it('keeps the first N events of a group each minute and marks the rest, dropping none', async () => {
    const { processor, context } = sampler(3);
    const out = processor.process(batchOf(times(5, errorEvent())));
    assert.deepEqual(kept(out), [true, true, true, false, false]);
    assert.equal(await metricValue(context, 'faultline_samples_skipped_total', { processor: 'sample' }), 2);
  });

  it('starts a new allowance when the group’s minute is over, by the injected clock', () => {
    const { processor, context } = sampler(1);
    assert.deepEqual(kept(processor.process(batchOf(times(2, errorEvent())))), [true, false]);
    context.clock.advance(59_999);
    assert.deepEqual(kept(processor.process(batchOf([errorEvent()]))), [false]);
    context.clock.advance(1);
    assert.deepEqual(kept(processor.process(batchOf(times(2, errorEvent())))), [true, false]);
  });

  it('counts groups by fingerprint when the group processor ran, else by service and type', () => {
    const { processor } = sampler(1);
    const out = processor.process(
      batchOf([
        errorEvent({ grouping: grouped('aaa') }),
        errorEvent({ grouping: grouped('bbb') }),
        errorEvent({ grouping: grouped('aaa') }),
        errorEvent({ type: 'A' }),
        errorEvent({ type: 'B' }),
        errorEvent({ type: 'A', service: 'other' }),
        errorEvent({ type: 'A' }),
      ]),
    );
    assert.deepEqual(kept(out), [true, true, false, true, true, true, false]);
  });

  it('makes new events for the marked ones and leaves the batch it got alone', () => {
    const { processor } = sampler(0);
    const event = errorEvent();
    const batch = batchOf([event]);
    const out = processor.process(batch);
    assert.notEqual(out.events[0], event);
    assert.equal(event.keepSample, undefined);
    assert.equal(batch.events[0], event);
  });

  it('hands on the same batch while every event is within its allowance', () => {
    const { processor } = sampler(10);
    const batch = batchOf(times(10, errorEvent()));
    assert.equal(processor.process(batch), batch);
  });

  it('tracks at most max_groups and counts each group it had to forget early', async () => {
    const { processor, context } = sampler(1, 2);
    processor.process(batchOf([errorEvent({ type: 'A' }), errorEvent({ type: 'B' }), errorEvent({ type: 'C' })]));
    const labels = { processor: 'sample' };
    assert.equal(await metricValue(context, 'faultline_sample_groups_tracked', labels), 2);
    assert.equal(await metricValue(context, 'faultline_sample_groups_evicted_total', labels), 1);
    // A was forgotten: it gets a fresh allowance. C is still tracked: its second event is marked.
    const out = processor.process(batchOf([errorEvent({ type: 'A' }), errorEvent({ type: 'C' })]));
    assert.deepEqual(kept(out), [true, false]);
  });

  it('forgets finished minutes before it forgets a live one', async () => {
    const { processor, context } = sampler(1, 2);
    processor.process(batchOf([errorEvent({ type: 'A' }), errorEvent({ type: 'B' })]));
    context.clock.advance(60_000);
    processor.process(batchOf([errorEvent({ type: 'C' })]));
    assert.equal(await metricValue(context, 'faultline_sample_groups_evicted_total', { processor: 'sample' }), 0);
    assert.equal(await metricValue(context, 'faultline_sample_groups_tracked', { processor: 'sample' }), 1);
  });
});
