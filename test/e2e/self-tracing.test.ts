// Optional self-tracing: Faultline A traces its own export requests with the OpenTelemetry Node
// SDK into Faultline B, a second real instance, which counts them as spans of service faultline.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { DEFAULT_TEST_CONFIG, eventually, startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { post } from '../helpers/http.js';
import { sampleValue } from '../helpers/prom-text.js';
import { tracesProtobuf } from '../helpers/sdk-payloads.js';

let collector: RunningFaultline;
let traced: RunningFaultline;
before(async () => {
  collector = await startFaultline();
  traced = await startFaultline(
    DEFAULT_TEST_CONFIG.replace(
      'logs: { level: info }',
      `logs: { level: info }\n    traces: { endpoint: "${collector.httpUrl}/v1/traces" }`,
    ),
  );
});
after(async () => {
  await traced.stop();
  await collector.stop();
});

it("exports a span for each of its own export requests to the configured collector", async () => {
  const reply = await post(`${traced.httpUrl}/v1/traces`, await tracesProtobuf('traced-app', 1), { 'content-type': 'application/x-protobuf' });
  assert.equal(reply.status, 200);
  // The SDK batches for up to 5 s; stopping A flushes it.
  await traced.stop();
  await eventually(async () =>
    sampleValue(await collector.scrape(), 'faultline_spans_total', {
      service: 'faultline', span_name: 'faultline export traces', span_kind: 'SPAN_KIND_SERVER', status_code: 'STATUS_CODE_UNSET',
    }) === 1,
  );
});
