// ExportMetricsServiceRequest (protobuf) → DecodedMetrics. Faultline keeps no metrics; it only
// counts data points (for the response and self-metrics) so that SDKs exporting every signal
// get a success. The structure down to the data points is still checked wire type by wire type.

import type { DecodedMetrics } from '../types.js';
import { WireReader, WireType, at, withPath, wrongWireType } from '../wire-reader.js';
import { skipKnown } from './decode-common.js';

const LEN = WireType.LENGTH_DELIMITED;

/** Metric.data members by field number; each holds its points in its repeated field 1. */
const DATA_FIELDS: { readonly [field: number]: string } = {
  5: 'gauge',
  7: 'sum',
  9: 'histogram',
  10: 'exponential_histogram',
  11: 'summary',
};

/** Decodes an ExportMetricsServiceRequest; empty input is a valid empty request. */
export function decodeMetricsProtobuf(bytes: Uint8Array): DecodedMetrics {
  const r = new WireReader(bytes);
  const end = r.length;
  let dataPointCount = 0;
  let index = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== LEN) throw wrongWireType(tag, 'resource_metrics', LEN, start);
      const itemEnd = r.lengthDelimited(end);
      try {
        dataPointCount += countNested(r, itemEnd, 'scope_metrics', 'scopeMetrics', countScopeMetrics);
      } catch (error) {
        throw withPath(error, at('resourceMetrics', index));
      }
      index++;
    } else r.skip(tag, end);
  }
  return { dataPointCount, rejected: [] };
}

/**
 * Sums `count` over the repeated field 2 of a ResourceMetrics or ScopeMetrics (field 1 is the
 * resource or scope, field 3 the schema url; both are skipped after their wire type is checked).
 */
function countNested(
  r: WireReader,
  end: number,
  name: string,
  pathName: string,
  count: (r: WireReader, end: number) => number,
): number {
  let total = 0;
  let index = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    switch (tag >>> 3) {
      case 1:
        skipKnown(r, tag, start, end, pathName === 'scopeMetrics' ? 'resource' : 'scope', LEN);
        break;
      case 2: {
        if ((tag & 7) !== LEN) throw wrongWireType(tag, name, LEN, start);
        const itemEnd = r.lengthDelimited(end);
        try {
          total += count(r, itemEnd);
        } catch (error) {
          throw withPath(error, at(pathName, index));
        }
        index++;
        break;
      }
      case 3:
        skipKnown(r, tag, start, end, 'schema_url', LEN);
        break;
      default:
        r.skip(tag, end);
    }
  }
  r.endMessage(end);
  return total;
}

function countScopeMetrics(r: WireReader, end: number): number {
  return countNested(r, end, 'metrics', 'metrics', countMetric);
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
