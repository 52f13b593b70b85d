// Shutting down (what SIGTERM runs) while large bodies decode on the decode workers loses nothing
// acknowledged: the receivers finish their requests, the decodes under way finish and queue their
// batches, and the queue drains into the exporters before they stop. Every span of every request
// answered 200 is counted by the prometheus exporter; requests refused (503) or cut off were not
// acknowledged, and their senders retry.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { OFFLOAD_BYTES } from '../../src/pipeline/ingest.js';
import { DEFAULT_TEST_CONFIG, eventually, startFaultline } from '../helpers/faultline.js';
import { tracesProtobuf } from '../helpers/sdk-payloads.js';

const REQUESTS = 12;
// About 79 bytes a span: 16,000 spans make a body of about 1.2 MiB, over OFFLOAD_BYTES.
const SPANS_PER_REQUEST = 16_000;

/** The sum of a metric's series in Prometheus text. */
function total(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

it('counts every span of every acknowledged request when it shuts down while large bodies decode off the loop', async (t) => {
  const body = await tracesProtobuf('checkout', 0, SPANS_PER_REQUEST);
  assert.ok(body.length >= OFFLOAD_BYTES, `a body the workers decode: ${body.length} bytes`);
  const running = await startFaultline(DEFAULT_TEST_CONFIG.replace('identity: { settle_time: 100ms }', 'identity: { settle_time: 0s }'));
  // Stopping twice is harmless; this one stops it when an assertion fails before the test's own stop.
  t.after(() => running.stop());
  const statuses = Array.from({ length: REQUESTS }, () =>
    fetch(`${running.httpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body }).then(
      (response) => response.status,
      () => 0,
    ),
  );
  const registry = running.faultline.registry;
  await eventually(async () => total(await registry.metrics(), 'faultline_pipeline_decode_jobs') > 0, 500);
  const stopped = await running.stop();
  assert.deepEqual(stopped.failed, []);
  const answered = await Promise.all(statuses);
  const acknowledged = answered.filter((status) => status === 200).length;
  assert.ok(acknowledged > 0, `some requests were acknowledged before the shutdown: ${answered.join(', ')}`);
  assert.ok(answered.every((status) => status === 200 || status === 503 || status === 0), `200, 503 or cut off: ${answered.join(', ')}`);
  assert.equal(total(await registry.metrics(), 'faultline_spans_total'), acknowledged * SPANS_PER_REQUEST);
});
