import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import type { Extracted } from '../../src/extract/error-event.js';
import { extractFromLogs } from '../../src/extract/from-logs.js';
import { extractFromTraces } from '../../src/extract/from-spans.js';
import { GROUP_PROCESSOR_DEFAULTS, IMPLICIT_GROUP_PROCESSOR, type GroupProcessorConfig } from '../../src/group/config.js';
import { createGroupProcessor } from '../../src/group/group-processor.js';
import { ManualClock } from '../../src/internal/clock.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { decodeLogsJson } from '../../src/otlp/json/decode-logs-json.js';
import { decodeTracesJson } from '../../src/otlp/json/decode-traces-json.js';
import { DEFAULT_TEST_CONFIG } from '../helpers/faultline.js';
import { attributes, exceptionEvent, extractOptions, span, SPAN_ID, TRACE_ID } from '../extract/fixtures.js';

const STACK = 'Error: User 42 not found\n    at fetchUser (file:///srv/app/src/users.js:11:20)\n    at async main (file:///srv/app/src/main.js:3:1)';
const EXCEPTION = { 'exception.type': 'Error', 'exception.message': 'User 42 not found', 'exception.stacktrace': STACK };

function spanBatch(spanId = SPAN_ID, values: Record<string, string> = EXCEPTION): Extracted {
  const body = { resourceSpans: [{ resource: { attributes: attributes({ 'service.name': 'shop' }) }, scopeSpans: [{ spans: [span({ spanId, status: { code: 2 }, events: [exceptionEvent(values)] })] }] }] };
  return extractFromTraces(decodeTracesJson(JSON.stringify(body)), extractOptions());
}

function logBatch(spanId = SPAN_ID, values: Record<string, string> = EXCEPTION): Extracted {
  const body = {
    resourceLogs: [{ resource: { attributes: attributes({ 'service.name': 'shop' }) }, scopeLogs: [{ logRecords: [{ timeUnixNano: '1700000000123456789', severityNumber: 17, traceId: TRACE_ID, spanId, attributes: attributes(values) }] }] }],
  };
  return extractFromLogs(decodeLogsJson(JSON.stringify(body)), extractOptions());
}

function setup(overrides: Partial<GroupProcessorConfig> = {}) {
  const registry = createRegistry({ defaultMetrics: false });
  const clock = new ManualClock();
  const { processor } = createGroupProcessor({ ...IMPLICIT_GROUP_PROCESSOR, ...overrides }, { registry, clock });
  const metric = async (name: string) => (await registry.getSingleMetric(name)!.get()).values.reduce((sum, v) => sum + v.value, 0);
  return { processor, clock, metric };
}

describe('the group processor', () => {
  it('gives every event its grouping in new event objects, leaving the batch it got untouched', () => {
    const { processor } = setup();
    const batch = spanBatch();
    const out = processor.process(batch);
    assert.notEqual(out, batch);
    assert.equal(batch.events[0]!.grouping, undefined);
    const grouping = out.events[0]!.grouping!;
    assert.equal(grouping.method, 'frames');
    assert.equal(grouping.culprit, 'fetchUser (/srv/app/src/users.js)');
    assert.equal(grouping.title, 'Error: User <num> not found');
    assert.equal(out.events[0]!.attributes, batch.events[0]!.attributes);
  });

  it('drops the log record of an exception already seen as a span event of the same span, and counts it', async () => {
    const { processor, metric } = setup();
    assert.equal(processor.process(spanBatch()).events.length, 1);
    assert.equal(processor.process(logBatch()).events.length, 0);
    assert.equal(await metric('faultline_events_deduplicated_total'), 1);
  });

  it('drops the span event when the log record came first', () => {
    const { processor } = setup();
    assert.equal(processor.process(logBatch()).events.length, 1);
    assert.equal(processor.process(spanBatch()).events.length, 0);
  });

  it('keeps both when the spans, types or messages differ, and keeps repeats on the same side', () => {
    const { processor } = setup();
    assert.equal(processor.process(spanBatch()).events.length, 1);
    assert.equal(processor.process(spanBatch()).events.length, 1, 'a second span event of the same span is a second exception');
    assert.equal(processor.process(logBatch('a1a2a3a4a5a6a7a8')).events.length, 1);
    assert.equal(processor.process(logBatch(SPAN_ID, { ...EXCEPTION, 'exception.message': 'User 43 not found' })).events.length, 1);
    assert.equal(processor.process(logBatch()).events.length, 0);
    assert.equal(processor.process(logBatch()).events.length, 0, 'each span event pairs with one log record');
    assert.equal(processor.process(logBatch()).events.length, 1);
  });

  it('forgets an exception after dedup_window', () => {
    const { processor, clock } = setup({ dedupWindowMs: 60_000 });
    processor.process(spanBatch());
    clock.advance(60_000);
    assert.equal(processor.process(logBatch()).events.length, 1);
  });

  it('holds at most dedup_max_entries exceptions and counts the evictions', async () => {
    const { processor, metric } = setup({ dedupMaxEntries: 2 });
    processor.process(spanBatch('0000000000000001'));
    processor.process(spanBatch('0000000000000002'));
    processor.process(spanBatch('0000000000000003'));
    assert.equal(await metric('faultline_dedup_evictions_total'), 1);
    assert.equal(await metric('faultline_dedup_entries'), 2);
    assert.equal(processor.process(logBatch('0000000000000001')).events.length, 1, 'the evicted one is not deduplicated');
  });

  it('counts events by grouping method and unparsed stack traces', async () => {
    const { processor, metric } = setup();
    processor.process(spanBatch('0000000000000001', { 'exception.type': 'Error', 'exception.message': 'x', 'exception.stacktrace': 'not a stack trace' }));
    assert.equal(await metric('faultline_stacktraces_unparsed_total'), 1);
    assert.equal(await metric('faultline_events_grouped_total'), 1);
  });

  it('is configured under processors.group and validated with every problem at its path', () => {
    const yaml = DEFAULT_TEST_CONFIG.replace(
      'processors:\n  errors: {}',
      'processors:\n  errors: {}\n  group:\n    in_app_include: [com.acme.]\n    dedup_window: 30s\n    fingerprint_rules:\n      - { name: upstream, type: TimeoutError, message: "*upstream*", fingerprint: [upstream-timeout] }',
    );
    const loaded = parseConfig(yaml, {});
    assert.ok(loaded.ok, JSON.stringify(loaded));
    const group = loaded.config.processors.get('group') as GroupProcessorConfig;
    assert.deepEqual(group.inAppInclude, ['com.acme.']);
    assert.equal(group.dedupWindowMs, 30_000);
    assert.equal(group.dedupMaxEntries, GROUP_PROCESSOR_DEFAULTS.dedupMaxEntries);
    assert.equal(group.fingerprintRules[0]!.name, 'upstream');

    const bad = parseConfig(
      DEFAULT_TEST_CONFIG.replace('processors:\n  errors: {}', 'processors:\n  errors: {}\n  group:\n    dedup_max_entries: 0\n    fingerprint_rules:\n      - { name: a, message: "/(/", fingerprint: [x] }\n      - { name: a, fingerprint: [] }'),
      {},
    );
    assert.ok(!bad.ok);
    const paths = bad.problems.map((p) => p.path).sort();
    assert.deepEqual(paths, [
      'processors.group.dedup_max_entries',
      'processors.group.fingerprint_rules[0].message',
      'processors.group.fingerprint_rules[1]',
      'processors.group.fingerprint_rules[1].fingerprint',
    ]);
  });
});
