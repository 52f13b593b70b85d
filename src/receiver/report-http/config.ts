// The `report` receiver's keys and defaults (receivers.report): POST /api/v1/report and /report on
// the OTLP/HTTP port (endpoint "") or a listener of its own (endpoint host:port), never on the admin
// endpoint. Its factory is listed in src/components.ts; docs/config.md lists the same keys.

import { map, object, withDefault, type ComponentType } from '../../config/schema.js';
import { size, text } from '../../config/value-types.js';
import { endpointOrMounted } from '../mounted-config.js';

export interface ReportReceiverConfig {
  readonly type: 'report';
  readonly id: string;
  /** '' to serve on the OTLP/HTTP listener of the otlp receiver; else host:port of its own. */
  readonly endpoint: string;
  /** Largest report body accepted after decompression, bytes. */
  readonly maxRequestBodyBytes: number;
  /** When not empty, requests must carry `Authorization: Bearer <token>`. */
  readonly bearerToken: string;
}

export const REPORT_RECEIVER_DEFAULTS: Omit<ReportReceiverConfig, 'id' | 'type'> = {
  endpoint: '',
  maxRequestBodyBytes: 1024 * 1024,
  bearerToken: '',
};

export const reportReceiverType: ComponentType<ReportReceiverConfig> = map(
  object({
    endpoint: withDefault(endpointOrMounted, REPORT_RECEIVER_DEFAULTS.endpoint),
    max_request_body_size: withDefault(size, REPORT_RECEIVER_DEFAULTS.maxRequestBodyBytes),
    auth: object({ bearer_token: withDefault(text, REPORT_RECEIVER_DEFAULTS.bearerToken) }),
  }),
  (d) =>
    (id: string): ReportReceiverConfig => ({
      type: 'report',
      id,
      endpoint: d.endpoint,
      maxRequestBodyBytes: d.max_request_body_size,
      bearerToken: d.auth.bearer_token,
    }),
);
