import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../helpers/config.js';
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

  it('counts events by grouping method and unparsed stack traces', async () => {
    const { processor, metric } = setup();
    processor.process(spanBatch('0000000000000001', { 'exception.type': 'Error', 'exception.message': 'x', 'exception.stacktrace': 'not a stack trace' }));
    assert.equal(await metric('faultline_stacktraces_unparsed_total'), 1);
    assert.equal(await metric('faultline_events_grouped_total'), 1);
  });

  it('is configured under processors.group and validated with every problem at its path', () => {
    const yaml = DEFAULT_TEST_CONFIG.replace(
      'processors:\n  errors: {}',
      'processors:\n  errors: {}\n  group:\n    in_app_include: [com.acme.]\n    cache_size: 64\n    fingerprint_rules:\n      - { name: upstream, type: TimeoutError, message: "*upstream*", fingerprint: [upstream-timeout] }',
    );
    const loaded = parseConfig(yaml, {});
    assert.ok(loaded.ok, JSON.stringify(loaded));
    const group = loaded.config.processors.get('group') as GroupProcessorConfig;
    assert.deepEqual(group.inAppInclude, ['com.acme.']);
    assert.equal(group.cacheSize, 64);
    assert.deepEqual(group.inAppExclude, GROUP_PROCESSOR_DEFAULTS.inAppExclude);
    assert.equal(group.fingerprintRules[0]!.name, 'upstream');

    const bad = parseConfig(
      DEFAULT_TEST_CONFIG.replace('processors:\n  errors: {}', 'processors:\n  errors: {}\n  group:\n    cache_size: -1\n    fingerprint_rules:\n      - { name: a, message: "/(/", fingerprint: [x] }\n      - { name: a, fingerprint: [] }'),
      {},
    );
    assert.ok(!bad.ok);
    const paths = bad.problems.map((p) => p.path).sort();
    assert.deepEqual(paths, [
      'processors.group.cache_size',
      'processors.group.fingerprint_rules[0].message',
      'processors.group.fingerprint_rules[1]',
      'processors.group.fingerprint_rules[1].fingerprint',
    ]);
  });
});
