import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../helpers/config.js';
import type { ErrorEvent, Extracted } from '../../src/extract/error-event.js';
import { extractFromLogs } from '../../src/extract/from-logs.js';
import { extractFromTraces } from '../../src/extract/from-spans.js';
import { IMPLICIT_GROUP_PROCESSOR } from '../../src/group/config.js';
import { createGroupProcessor } from '../../src/group/group-processor.js';
import { ManualClock } from '../../src/internal/clock.js';
import { createLogger } from '../../src/internal/logger.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { chainStages, type LaneOptions } from '../../src/pipeline/processor.js';
import { IMPLICIT_IDENTITY, type IdentityProcessorConfig } from '../../src/processor/identity/config.js';
import { createIdentityProcessor } from '../../src/processor/identity/identity-processor.js';
import { DEFAULT_TEST_CONFIG } from '../helpers/faultline.js';
import { errorEvent } from '../group/event-fixtures.js';
import {
  attributes,
  decodeLogs,
  decodeTraces,
  errorStatus,
  exceptionEvent,
  extractOptions,
  logRecord,
  span,
  TRACE_ID,
  type Json,
} from '../extract/fixtures.js';

const STACK = [
  'TypeError: Cannot read properties of undefined (reading \'id\')',
  '    at loadCart (/srv/shop/src/cart.js:12:19)',
  '    at Layer.handle [as handle_request] (/srv/shop/node_modules/express/lib/router/layer.js:95:5)',
].join('\n');
const THROWN = { 'exception.type': 'TypeError', 'exception.message': "Cannot read properties of undefined (reading 'id')", 'exception.stacktrace': STACK };
const OTHER_STACK = STACK.replace('loadCart (/srv/shop/src/cart.js:12:19)', 'saveCart (/srv/shop/src/cart.js:40:7)');

const SERVER_ID = '1000000000000001';
const ROUTER_ID = '1000000000000002';
const LAYER_ID = '1000000000000003';
const MIDDLEWARE_ID = '1000000000000004';

/** The SERVER span of GET /cart/:id, as @opentelemetry/instrumentation-http ends it on a 500: ERROR, no exception event. */
function serverSpan(overrides: Json = {}): Json {
  return span({
    spanId: SERVER_ID,
    name: 'GET /cart/:id',
    ...errorStatus(),
    attributes: attributes({ 'http.route': '/cart/:id', 'http.request.method': 'GET', 'http.response.status_code': 500, 'url.path': '/cart/7' }),
    ...overrides,
  });
}

/** An INTERNAL span (an Express layer) that recorded the exception and ended UNSET. */
function layerSpan(spanId: string, values: Record<string, string> = THROWN, overrides: Json = {}): Json {
  return span({ spanId, parentSpanId: SERVER_ID, kind: 'SPAN_KIND_INTERNAL', name: `layer ${spanId}`, events: [exceptionEvent(values)], ...overrides });
}

function setup(overrides: Partial<IdentityProcessorConfig> = {}, lane: LaneOptions = { includeHandledExceptions: true }) {
  const registry = createRegistry({ defaultMetrics: false });
  const clock = new ManualClock();
  const logger = createLogger('silent');
  const group = createGroupProcessor(IMPLICIT_GROUP_PROCESSOR, { registry, clock });
  const identity = createIdentityProcessor({ ...IMPLICIT_IDENTITY, settleTimeMs: 5_000, ...overrides }, { registry, clock, logger });
  const out: ErrorEvent[] = [];
  const stages = [
    { ...group, name: 'processor.group' },
    { ...identity, name: 'processor.identity' },
  ];
  const rethrow = (_stage: string, error: unknown) => {
    throw error;
  };
  const pipeline = chainStages(stages, { consume: (batch) => out.push(...batch.events) }, lane, rethrow);
  const metric = async (name: string, labels: Record<string, string> = {}) =>
    ((await registry.getSingleMetric(name)?.get())?.values ?? [])
      .filter((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value))
      .reduce((sum, v) => sum + v.value, 0);
  const spans = (list: Json[], service = 'shop') => pipeline.consume(extractFromTraces(decodeTraces(list, { 'service.name': service }), extractOptions()));
  const logs = (list: Json[]) => pipeline.consume(extractFromLogs(decodeLogs(list, { 'service.name': 'shop' }), extractOptions()));
  const settle = (ms = 5_000) => {
    clock.advance(ms);
    identity.holding.settleDue();
  };
  return { out, metric, spans, logs, settle, clock, identity, pipeline };
}

/** A pino error middleware's record: ERROR, under the middleware span, with the error's exception.* attributes. */
function pinoRecord(values: Record<string, string> = THROWN): Json {
  return logRecord({ spanId: MIDDLEWARE_ID, body: { stringValue: 'request failed' }, attributes: attributes(values) });
}

describe('the identity processor', () => {
  it('makes one event of an error recorded on three spans, the SERVER span status and a log line', async () => {
    const { out, metric, spans, logs, settle } = setup();
    logs([pinoRecord()]);
    spans([layerSpan(LAYER_ID), layerSpan(ROUTER_ID), serverSpan()]);
    assert.equal(out.length, 0, 'nothing goes on before the trace settles');
    settle();
    assert.equal(out.length, 1);
    const [event] = out;
    assert.equal(event!.type, 'TypeError');
    assert.equal(event!.source, 'span');
    assert.equal(event!.handled, false, 'the request failed with it: not handled, though the layer spans ended UNSET');
    assert.equal(event!.httpRoute, '/cart/:id');
    assert.equal(event!.httpMethod, 'GET');
    assert.equal(event!.httpStatusCode, 500);
    assert.equal(event!.spanName, 'GET /cart/:id', 'the transaction is the SERVER span');
    assert.equal(await metric('faultline_error_records_total'), 4);
    assert.equal(await metric('faultline_error_records_folded_total', { reason: 'same_exception' }), 2);
    assert.equal(await metric('faultline_error_records_folded_total', { reason: 'error_span' }), 1);
  });

  it('folds a trace split over batches that arrive out of order, across the traces and logs pipelines', () => {
    const { out, spans, logs, settle } = setup();
    spans([serverSpan()]);
    settle(1_000);
    logs([pinoRecord()]);
    settle(1_000);
    spans([layerSpan(LAYER_ID)]);
    settle(3_000);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.source, 'span', 'the exception, not the SpanError, is kept');
  });

  it('keeps two errors of one trace apart when their stack traces differ', () => {
    const { out, spans, settle } = setup();
    spans([layerSpan(LAYER_ID), layerSpan(ROUTER_ID, { ...THROWN, 'exception.stacktrace': OTHER_STACK }), serverSpan()]);
    settle();
    assert.equal(out.length, 2);
  });

  it('keeps two errors of one trace apart when their messages differ and no stack trace says otherwise', () => {
    const { out, spans, settle } = setup();
    const bare = { 'exception.type': 'TimeoutError' };
    spans([layerSpan(LAYER_ID, { ...bare, 'exception.message': 'redis timed out' }), layerSpan(ROUTER_ID, { ...bare, 'exception.message': 'db timed out' })]);
    settle();
    assert.deepEqual(out.map((event) => event.message).sort(), ['db timed out', 'redis timed out']);
  });

  it('folds a log whose type is the generic Error into the typed exception with the same message', () => {
    const { out, spans, logs, settle } = setup();
    spans([layerSpan(LAYER_ID, { 'exception.type': 'PaymentError', 'exception.message': 'card 4 declined' })]);
    logs([pinoRecord({ 'exception.type': 'Error', 'exception.message': 'card 4 declined' })]);
    settle();
    assert.equal(out.length, 1);
    assert.equal(out[0]!.type, 'PaymentError');
  });

  it('makes one event of a 5xx without a throw, from its log line, with the route of the SERVER span', () => {
    const { out, spans, logs, settle } = setup();
    logs([logRecord({ spanId: SERVER_ID, body: { stringValue: 'payment provider answered 502' } })]);
    spans([serverSpan()]);
    settle();
    assert.equal(out.length, 1);
    assert.equal(out[0]!.source, 'log');
    assert.equal(out[0]!.message, 'payment provider answered 502');
    assert.equal(out[0]!.httpRoute, '/cart/:id');
  });

  it('makes one span_status event of a trace whose spans failed with no exception and no log', () => {
    const { out, spans, settle } = setup();
    spans([serverSpan(), span({ spanId: LAYER_ID, parentSpanId: SERVER_ID, kind: 'SPAN_KIND_CLIENT', name: 'POST payments', ...errorStatus('503') })]);
    settle();
    assert.equal(out.length, 1);
    assert.equal(out[0]!.source, 'span_status');
  });

  it('folds the failure of a calling service into the exception of the service it called', () => {
    const { out, spans, settle } = setup();
    spans([serverSpan()], 'frontend');
    spans([layerSpan(LAYER_ID)], 'cart');
    settle();
    assert.equal(out.length, 1);
    assert.equal(out[0]!.service, 'cart');
  });

  it('keeps an exception as handled when every span that recorded it ended well and none failed', () => {
    const { out, spans, settle } = setup();
    spans([layerSpan(LAYER_ID), serverSpan({ status: { code: 'STATUS_CODE_UNSET' } })]);
    settle();
    assert.equal(out.length, 1);
    assert.equal(out[0]!.handled, true);
  });

  it('drops handled exceptions when include_handled_exceptions is off, once the trace has decided', () => {
    const { out, spans, settle } = setup({}, { includeHandledExceptions: false });
    spans([layerSpan(LAYER_ID)]);
    spans([layerSpan(LAYER_ID, THROWN, { traceId: 'ffffffffffffffffffffffffffffffff' }), serverSpan({ traceId: 'ffffffffffffffffffffffffffffffff' })]);
    settle();
    assert.deepEqual(out.map((event) => [event.traceId, event.handled]), [['ffffffffffffffffffffffffffffffff', false]]);
  });

  it('folds a copy that arrives after its trace settled into the event already sent', async () => {
    const { out, metric, spans, logs, settle } = setup();
    spans([layerSpan(LAYER_ID), serverSpan()]);
    settle();
    logs([pinoRecord()]);
    settle();
    assert.equal(out.length, 1);
    assert.equal(await metric('faultline_error_records_folded_total', { reason: 'late' }), 1);
  });

  it('folds a late exception into the span_status event its trace already sent', () => {
    const { out, spans, settle } = setup();
    spans([serverSpan()]);
    settle();
    spans([layerSpan(LAYER_ID)]);
    settle();
    assert.equal(out.length, 1);
  });

  it('folds a late error log line into the span_status event its trace already sent', () => {
    const { out, spans, logs, settle } = setup();
    spans([serverSpan()]);
    settle();
    logs([logRecord({ spanId: SERVER_ID, body: { stringValue: 'payment provider answered 502' } })]);
    settle();
    assert.equal(out.length, 1);
  });

  it('still counts a different error that arrives after its trace settled', () => {
    const { out, spans, settle } = setup();
    spans([layerSpan(LAYER_ID)]);
    settle();
    spans([layerSpan(ROUTER_ID, { ...THROWN, 'exception.stacktrace': OTHER_STACK })]);
    settle();
    assert.equal(out.length, 2);
  });

  it('drops a Sentry event whose event id it saw already (an SDK retry), in a trace or not', async () => {
    const { out, metric, pipeline, settle } = setup();
    const sentry = (traceId: string): ErrorEvent => errorEvent({ source: 'sentry', id: 'c7a7a58f80cf493fab669144bff92620', traceId, message: 'retried' });
    pipeline.consume({ events: [sentry('')], timings: [], skippedExceptions: 0 });
    pipeline.consume({ events: [sentry('')], timings: [], skippedExceptions: 0 });
    pipeline.consume({ events: [sentry(TRACE_ID)], timings: [], skippedExceptions: 0 });
    settle();
    assert.equal(out.length, 1);
    assert.equal(await metric('faultline_error_records_folded_total', { reason: 'duplicate' }), 2);
  });

  it('passes records without a trace id at once, one event each', () => {
    const { out, logs } = setup();
    logs([logRecord({ traceId: '', spanId: '' }), logRecord({ traceId: '', spanId: '' })]);
    assert.equal(out.length, 2);
  });

  it('passes everything at once when settle_time is 0', () => {
    const { out, spans } = setup({ settleTimeMs: 0 });
    spans([layerSpan(LAYER_ID), serverSpan()]);
    assert.equal(out.length, 2);
  });

  it('settles every waiting trace at shutdown', async () => {
    const { out, spans, identity } = setup();
    spans([layerSpan(LAYER_ID), serverSpan()]);
    await identity.component.shutdown();
    assert.equal(out.length, 1);
  });

  it('settles the oldest trace early past max_pending_traces, losing nothing, and counts it', async () => {
    const { out, metric, spans, settle } = setup({ maxPendingTraces: 2 });
    for (const traceId of ['01', '02', '03'].map((n) => n.padStart(32, 'a'))) spans([layerSpan(LAYER_ID, THROWN, { traceId })]);
    assert.equal(out.length, 1, 'the first trace settled to make room');
    assert.equal(await metric('faultline_identity_limit_hits_total', { limit: 'pending_traces' }), 1);
    assert.equal(await metric('faultline_identity_pending_traces'), 2);
    settle();
    assert.equal(out.length, 3);
  });

  it('settles the oldest traces early past max_pending_records, whatever the number of traces', async () => {
    const { out, metric, spans, settle } = setup({ maxPendingRecords: 4 });
    const [first, second] = ['01', '02'].map((n) => n.padStart(32, 'a'));
    spans([layerSpan('2000000000000001', THROWN, { traceId: first }), layerSpan('2000000000000002', THROWN, { traceId: first })]);
    spans([layerSpan('2000000000000003', THROWN, { traceId: second }), layerSpan('2000000000000004', THROWN, { traceId: second })]);
    assert.equal(out.length, 0, 'four records fit');
    spans([layerSpan('2000000000000005', THROWN, { traceId: second })]);
    assert.equal(out.length, 1, 'the oldest trace settled to make room');
    assert.equal(out[0]!.traceId, first);
    assert.equal(await metric('faultline_identity_limit_hits_total', { limit: 'pending_records' }), 1);
    settle();
    assert.equal(out.length, 2);
  });

  it('settles a trace early once it holds max_records_per_trace records', async () => {
    const { out, metric, spans } = setup({ maxRecordsPerTrace: 3 });
    spans([layerSpan('2000000000000001'), layerSpan('2000000000000002'), layerSpan('2000000000000003')]);
    assert.equal(out.length, 1);
    assert.equal(await metric('faultline_identity_limit_hits_total', { limit: 'records_per_trace' }), 1);
  });

  it('stays within its bounds over a million distinct traces', async () => {
    const limits = { maxPendingTraces: 1_000, rememberedTraces: 10_000 };
    const { metric, identity, clock } = setup(limits);
    let events = 0;
    const lane = identity.holding.lane({ consume: (batch) => (events += batch.events.length) }, { includeHandledExceptions: true });
    const extracted = extractFromTraces(decodeTraces([layerSpan(LAYER_ID)]), extractOptions());
    const template = createGroupProcessor(IMPLICIT_GROUP_PROCESSOR, { registry: createRegistry({ defaultMetrics: false }), clock }).processor.process(extracted).events[0]!;
    const TRACES = 1_000_000;
    let batch: ErrorEvent[] = [];
    for (let i = 0; i < TRACES; i++) {
      batch.push({ ...template, traceId: i.toString(16).padStart(32, '0') });
      if (batch.length === 1_000) {
        lane.consume({ events: batch, timings: [], skippedExceptions: 0 } satisfies Extracted);
        batch = [];
        clock.advance(1);
        identity.holding.settleDue();
        assert.ok((await metric('faultline_identity_pending_traces')) <= limits.maxPendingTraces);
        assert.ok((await metric('faultline_identity_remembered_traces')) <= limits.rememberedTraces);
      }
    }
    await identity.component.shutdown();
    assert.equal(events, TRACES, 'every trace still yields its one event');
    assert.equal(await metric('faultline_identity_pending_traces'), 0);
    assert.equal(await metric('faultline_identity_remembered_traces'), limits.rememberedTraces);
    assert.equal(await metric('faultline_identity_limit_hits_total', { limit: 'pending_traces' }), TRACES - limits.maxPendingTraces);
    assert.equal(await metric('faultline_identity_limit_hits_total', { limit: 'remembered_traces' }), TRACES - limits.rememberedTraces);
  });

  /** An identity processor that settles `tracesPerSlice` traces a turn, and `count` due traces of two records of one exception each, due one after another. */
  function manyDueTraces(count: number, tracesPerSlice: number) {
    const registry = createRegistry({ defaultMetrics: false });
    const clock = new ManualClock();
    const identity = createIdentityProcessor({ ...IMPLICIT_IDENTITY, settleTimeMs: 5_000 }, { registry, clock, logger: createLogger('silent') }, { tracesPerSlice, turnBudgetMs: 0 });
    const handedOn: string[] = [];
    const lane = identity.holding.lane({ consume: (batch) => handedOn.push(...batch.events.map((event) => event.traceId)) }, { includeHandledExceptions: true });
    const extracted = extractFromTraces(decodeTraces([layerSpan(LAYER_ID)]), extractOptions());
    const template = createGroupProcessor(IMPLICIT_GROUP_PROCESSOR, { registry, clock }).processor.process(extracted).events[0]!;
    const traceIds = Array.from({ length: count }, (_, i) => (i + 1).toString(16).padStart(32, '0'));
    for (const traceId of traceIds) {
      const records = [{ ...template, traceId }, { ...template, traceId, spanId: ROUTER_ID }];
      lane.consume({ events: records, timings: [], skippedExceptions: 0 } satisfies Extracted);
      clock.advance(1);
    }
    clock.advance(5_000);
    return { identity, handedOn, traceIds };
  }

  it('settles many due traces over several turns of the event loop, oldest first, each once', async () => {
    const { identity, handedOn, traceIds } = manyDueTraces(40, 4);
    let handedOnWhenOtherWorkRan = -1;
    setImmediate(() => (handedOnWhenOtherWorkRan = handedOn.length));
    identity.holding.settleDue();
    assert.equal(handedOn.length, 4, 'one slice goes on at once');
    for (let turn = 0; turn < 100 && handedOn.length < traceIds.length; turn++) await new Promise(setImmediate);
    assert.equal(handedOnWhenOtherWorkRan, 4, 'work queued before the settling ran after its first slice, before the rest');
    assert.deepEqual(handedOn, traceIds, 'one event per trace (two records folded), in the order the traces became due');
  });

  it('settles everything still due at shutdown, while a sliced settling is under way, and nothing twice', async () => {
    const { identity, handedOn, traceIds } = manyDueTraces(40, 4);
    identity.holding.settleDue();
    assert.equal(handedOn.length, 4);
    await identity.component.shutdown();
    assert.deepEqual(handedOn, traceIds, 'the rest went on at shutdown');
    for (let turn = 0; turn < 3; turn++) await new Promise(setImmediate);
    assert.deepEqual(handedOn, traceIds, 'and the turn that was scheduled found nothing left');
  });

  it('is configured under processors.identity and validated with every problem at its path', () => {
    const good = parseConfig(DEFAULT_TEST_CONFIG.replace('identity: { settle_time: 100ms }', 'identity:\n    settle_time: 2s\n    remembered_traces: 0'), {});
    assert.ok(good.ok, JSON.stringify(good));
    const identity = good.config.processors.get('identity') as IdentityProcessorConfig;
    assert.equal(identity.settleTimeMs, 2_000);
    assert.equal(identity.rememberedTraces, 0);
    assert.equal(identity.maxPendingTraces, IMPLICIT_IDENTITY.maxPendingTraces);
    const bad = parseConfig(DEFAULT_TEST_CONFIG.replace('identity: { settle_time: 100ms }', 'identity:\n    settle_time: soon\n    max_pending_traces: 0'), {});
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problems.map((p) => p.path).sort(), ['processors.identity.max_pending_traces', 'processors.identity.settle_time']);
  });

  it('refuses a config whose traces and logs pipelines would fold in different identity processors', () => {
    const split = parseConfig(DEFAULT_TEST_CONFIG.replace('logs: { receivers: [otlp], processors: [errors, identity]', 'logs: { receivers: [otlp], processors: [errors]'), {});
    assert.ok(!split.ok);
    assert.deepEqual(split.problems.map((p) => p.path), ['service.pipelines.logs.processors']);
    assert.match(split.problems[0]!.message, /traces pipeline lists identity processor "identity" and the logs pipeline none/);
  });
});

void TRACE_ID;
