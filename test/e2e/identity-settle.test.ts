// End to end through a real Faultline: the records of one error that reach it in several export
// requests, over both receivers and both signals, in any order, become one event and one group;
// and what waits for its trace to settle is not lost when Faultline shuts down meanwhile.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { eventually } from '../helpers/faultline.js';
import { exportOverGrpc } from '../helpers/grpc.js';
import { encodeTracesRequest } from '../helpers/proto.js';
import { post } from '../helpers/http.js';
import { sampleValue, sumSamples } from '../helpers/prom-text.js';
import { groupsOf, startWithGroups } from '../group/api/faultline-with-groups.js';
import { attributes, exceptionEvent, span } from '../extract/fixtures.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const STACK = 'TypeError: cart total is not a number\n    at checkout (/srv/shop/src/checkout.js:34:20)\n    at Layer.handle (/srv/shop/node_modules/express/lib/router/layer.js:95:5)';
const THROWN = { 'exception.type': 'TypeError', 'exception.message': 'cart total is not a number', 'exception.stacktrace': STACK };

function spans(service: string, list: object[]): string {
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: attributes({ 'service.name': service }) }, scopeSpans: [{ spans: list }] }] });
}

function logs(service: string, traceId: string, spanId: string): string {
  const record = { timeUnixNano: '1700000000100000000', severityNumber: 17, body: { stringValue: 'request failed' }, traceId, spanId, attributes: attributes(THROWN) };
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: attributes({ 'service.name': service }) }, scopeLogs: [{ logRecords: [record] }] }] });
}

/** What Express 5 sends for one thrown error, as three requests: the inner spans, the SERVER span, the error middleware's log. */
function oneError(service: string) {
  const traceId = randomBytes(16).toString('hex');
  const server = span({ traceId, spanId: '1000000000000001', name: 'POST /checkout', status: { code: 2 }, attributes: attributes({ 'http.route': '/checkout', 'http.request.method': 'POST', 'http.response.status_code': 500, 'error.type': '500' }) });
  const handler = span({ traceId, spanId: '1000000000000002', parentSpanId: '1000000000000001', kind: 'SPAN_KIND_INTERNAL', name: 'request handler', status: { code: 2, message: THROWN['exception.message'] }, events: [exceptionEvent(THROWN)] });
  const layer = span({ traceId, spanId: '1000000000000003', parentSpanId: '1000000000000002', kind: 'SPAN_KIND_INTERNAL', name: 'request handler - /checkout', events: [exceptionEvent(THROWN)] });
  return { inner: spans(service, [layer, handler]), server: spans(service, [server]), log: logs(service, traceId, '1000000000000004') };
}


const stops: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const stop of stops) await stop();
});

describe('one error in several export requests', () => {
  it('is one event and one group whatever the order, over OTLP/HTTP and gRPC and both signals', async () => {
    const running = await startWithGroups({ identity: '{ settle_time: 500ms }' });
    stops.push(() => running.stop());
    const orders: (keyof ReturnType<typeof oneError>)[][] = [
      ['inner', 'server', 'log'],
      ['log', 'server', 'inner'],
      ['server', 'log', 'inner'],
    ];
    for (const [index, order] of orders.entries()) {
      const error = oneError('shop');
      for (const part of order) {
        // The last trace's spans go over gRPC (protobuf), its log over OTLP/HTTP JSON.
        if (index === 2 && part !== 'log') {
          const reply = await exportOverGrpc(running.grpcAddress, 'traces', Buffer.from(encodeTracesRequest(JSON.parse(error[part]))));
          assert.equal(reply.error, null);
          continue;
        }
        const url = `${running.httpUrl}/v1/${part === 'log' ? 'logs' : 'traces'}`;
        assert.equal((await post(url, error[part], JSON_TYPE)).status, 200);
      }
    }
    await eventually(async () => sampleValue(await running.scrape(), 'faultline_identity_pending_traces', { processor: 'identity' }) === 0, 200);
    const text = await running.scrape();
    assert.equal(sumSamples(text, 'faultline_errors_total', { service: 'shop' }), 3);
    assert.equal(sumSamples(text, 'faultline_error_records_total'), 12, 'four records per error came in');
    assert.equal(sumSamples(text, 'faultline_error_records_folded_total'), 9);
    // The groups exporter writes what it accepted within its flush_interval (100 ms here).
    await eventually(async () => (await groupsOf(running, 'shop'))[0]?.count === 3, 50);
    const groups = await groupsOf(running, 'shop');
    assert.deepEqual(groups.map((group) => [group.title, group.count]), [['TypeError: cart total is not a number', 3]]);
  });

  it('loses nothing that waits to settle when Faultline shuts down', async () => {
    const first = await startWithGroups({ identity: '{ settle_time: 1h }' });
    const error = oneError('billing');
    for (const part of ['inner', 'log', 'server'] as const) {
      assert.equal((await post(`${first.httpUrl}/v1/${part === 'log' ? 'logs' : 'traces'}`, error[part], JSON_TYPE)).status, 200);
    }
    await eventually(async () => sampleValue(await first.scrape(), 'faultline_identity_pending_traces', { processor: 'identity' }) === 1, 200);
    assert.deepEqual(await groupsOf(first, 'billing'), [], 'nothing is filed before the trace settles');
    await first.stop();
    const second = await startWithGroups({ dataDir: first.dataDir });
    stops.push(() => second.stop());
    const groups = await groupsOf(second, 'billing');
    assert.deepEqual(groups.map((group) => [group.title, group.count]), [['TypeError: cart total is not a number', 1]]);
  });
});
