import { test as it } from 'node:test';
import assert from 'node:assert/strict';
import { FaultlineError } from '../../src/errors.js';
import { decodeMetricsProtobuf } from '../../src/otlp/protobuf/decode-metrics.js';
import { decodeMetricsJson } from '../../src/otlp/json/decode-metrics-json.js';
import { encodeMetricsRequest } from '../helpers/proto.js';

const point = { timeUnixNano: '1700000000000000000', asInt: '3', attributes: [{ key: 'k', value: { stringValue: 'v' } }] };

const request = {
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
      scopeMetrics: [
        {
          scope: { name: 'meter' },
          metrics: [
            { name: 'g', gauge: { dataPoints: [point, point] } },
            { name: 's', sum: { dataPoints: [point], aggregationTemporality: 2, isMonotonic: true } },
            { name: 'h', histogram: { dataPoints: [{ count: '2', bucketCounts: ['1', '1'], explicitBounds: [0.5] }] } },
            { name: 'e', exponentialHistogram: { dataPoints: [{ count: '1', scale: -2, positive: { offset: -1, bucketCounts: ['1'] } }] } },
            { name: 'q', summary: { dataPoints: [{ count: '1', quantileValues: [{ quantile: 0.5, value: 1 }] }, {}] } },
            { name: 'empty' },
          ],
        },
      ],
    },
  ],
};

it('counts the data points of gauges, sums, histograms, exponential histograms and summaries', () => {
  assert.deepEqual(decodeMetricsProtobuf(encodeMetricsRequest(request)), { dataPointCount: 7, rejected: [] });
  assert.deepEqual(decodeMetricsJson(JSON.stringify(request)), { dataPointCount: 7, rejected: [] });
});

it('reads an empty metrics request as zero data points', () => {
  assert.deepEqual(decodeMetricsProtobuf(new Uint8Array(0)), { dataPointCount: 0, rejected: [] });
  assert.deepEqual(decodeMetricsJson('{"foo":1}'), { dataPointCount: 0, rejected: [] });
});

it('refuses a metric whose gauge is not a sub-message', () => {
  // ResourceMetrics → ScopeMetrics → Metric { gauge (field 5) as a varint }.
  const bytes = Uint8Array.from([0x0a, 0x06, 0x12, 0x04, 0x12, 0x02, 0x28, 0x01]);
  assert.throws(
    () => decodeMetricsProtobuf(bytes),
    (error: unknown) =>
      error instanceof FaultlineError &&
      error.message === 'resourceMetrics[0].scopeMetrics[0].metrics[0]: field 5 (gauge) has wire type 0, expected 2 (length-delimited) at offset 6',
  );
  assert.throws(
    () => decodeMetricsJson('{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"sum":{"dataPoints":3}}]}]}]}'),
    /: resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]\.sum\.dataPoints: expected an array, got number$/,
  );
});

it('fails with a decode error when a metrics request is cut at any byte', () => {
  const bytes = encodeMetricsRequest(request);
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.throws(
      () => decodeMetricsProtobuf(bytes.subarray(0, cut)),
      (error: unknown) => error instanceof FaultlineError && error.code === 'FL_DECODE',
      `cut at ${cut}`,
    );
  }
});
