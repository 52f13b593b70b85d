// ExportMetricsServiceRequest (OTLP/JSON) → DecodedMetrics: data points are counted, nothing
// else is kept (see decode-metrics.ts). The structure down to the data points is type-checked.

import { withPath, at } from '../wire-reader.js';
import type { DecodedMetrics } from '../types.js';
import { element, jsonArray, jsonObject, parseRequest } from './json-common.js';

/** Metric.data members (camelCase, snake_case); each holds its points in `dataPoints`. */
const DATA_FIELDS: readonly (readonly [string, string])[] = [
  ['gauge', 'gauge'],
  ['sum', 'sum'],
  ['histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram'],
  ['summary', 'summary'],
];

/** Decodes an OTLP/JSON ExportMetricsServiceRequest; `{}` is an empty request. */
export function decodeMetricsJson(body: string): DecodedMetrics {
  const request = parseRequest(body);
  const items = jsonArray(request, 'resourceMetrics', 'resource_metrics');
  let dataPointCount = 0;
  for (let r = 0; r < items.length; r++) {
    try {
      const scopeItems = jsonArray(element(items, r), 'scopeMetrics', 'scope_metrics');
      for (let s = 0; s < scopeItems.length; s++) {
        try {
          const metrics = jsonArray(element(scopeItems, s), 'metrics', 'metrics');
          for (let m = 0; m < metrics.length; m++) {
            try {
              const metric = element(metrics, m);
              for (const [camel, snake] of DATA_FIELDS) {
                const data = jsonObject(metric, camel, snake);
                if (data === undefined) continue;
                try {
                  dataPointCount += jsonArray(data, 'dataPoints', 'data_points').length;
                } catch (error) {
                  throw withPath(error, camel);
                }
              }
            } catch (error) {
              throw withPath(error, at('metrics', m));
            }
          }
        } catch (error) {
          throw withPath(error, at('scopeMetrics', s));
        }
      }
    } catch (error) {
      throw withPath(error, at('resourceMetrics', r));
    }
  }
  return { dataPointCount, rejected: [] };
}
