// ExportMetricsServiceRequest (protobuf) → DecodedMetrics. Faultline keeps no metrics; it only
// counts data points (for the response and self-metrics) so that SDKs exporting every signal
// get a success. The structure down to the data points is still checked wire type by wire type.

import type { DecodedMetrics } from '../types.js';
import { WireReader, WireType, withPath, wrongWireType } from '../wire-reader.js';
import { skipKnown } from './decode-common.js';
import { readEnvelope, type EnvelopeSpec } from './decode-envelope.js';

const LEN = WireType.LENGTH_DELIMITED;

/** Metric.data members by field number; each holds its points in its repeated field 1. */
const DATA_FIELDS: { readonly [field: number]: string } = {
  5: 'gauge',
  7: 'sum',
  9: 'histogram',
  10: 'exponential_histogram',
  11: 'summary',
};

const sum = (counts: readonly number[]) => {
  let total = 0;
  for (const count of counts) total += count;
  return total;
};

const METRICS: EnvelopeSpec<number, number, number> = {
  resources: ['resource_metrics', 'resourceMetrics'],
  scopes: ['scope_metrics', 'scopeMetrics'],
  items: ['metrics', 'metrics'],
  readsResource: false,
  readItem: countMetric,
  scope: (_scopeName, points) => sum(points),
  resource: (_resource, points) => sum(points),
};

/** Decodes an ExportMetricsServiceRequest; empty input is a valid empty request. */
export function decodeMetricsProtobuf(bytes: Uint8Array): DecodedMetrics {
  return { dataPointCount: sum(readEnvelope(bytes, METRICS).resources), rejected: [] };
}

function countMetric(r: WireReader, end: number): number {
  let points = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    const field = tag >>> 3;
    const dataName = DATA_FIELDS[field];
    if (dataName !== undefined) {
      if ((tag & 7) !== LEN) throw wrongWireType(tag, dataName, LEN, start);
      const dataEnd = r.lengthDelimited(end);
      try {
        points += countDataPoints(r, dataEnd);
      } catch (error) {
        throw withPath(error, dataName);
      }
    } else if (field === 1 || field === 2 || field === 3 || field === 12) {
      skipKnown(r, tag, start, end, field === 12 ? 'metadata' : field === 1 ? 'name' : field === 2 ? 'description' : 'unit', LEN);
    } else r.skip(tag, end);
  }
  r.endMessage(end);
  return points;
}

function countDataPoints(r: WireReader, end: number): number {
  let points = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    if (tag >>> 3 === 1) {
      skipKnown(r, tag, start, end, 'data_points', LEN);
      points++;
    } else r.skip(tag, end);
  }
  r.endMessage(end);
  return points;
}
