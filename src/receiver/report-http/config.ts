// The `report` receiver's keys and defaults (receivers.report): POST /api/v1/report and /report on
// the admin endpoint. Its factory is listed in src/components.ts; docs/config.md lists the same keys.

import { map, object, withDefault, type ComponentType } from '../../config/schema.js';
import { size, text } from '../../config/value-types.js';

export interface ReportReceiverConfig {
  readonly type: 'report';
  readonly id: string;
  /** Largest report body accepted after decompression, bytes. */
  readonly maxRequestBodyBytes: number;
  /** When not empty, requests must carry `Authorization: Bearer <token>`. */
  readonly bearerToken: string;
}

export const REPORT_RECEIVER_DEFAULTS: Omit<ReportReceiverConfig, 'id' | 'type'> = {
  maxRequestBodyBytes: 1024 * 1024,
  bearerToken: '',
};

export const reportReceiverType: ComponentType<ReportReceiverConfig> = map(
  object({
    max_request_body_size: withDefault(size, REPORT_RECEIVER_DEFAULTS.maxRequestBodyBytes),
    auth: object({ bearer_token: withDefault(text, REPORT_RECEIVER_DEFAULTS.bearerToken) }),
  }),
  (d) =>
    (id: string): ReportReceiverConfig => ({
      type: 'report',
      id,
      maxRequestBodyBytes: d.max_request_body_size,
      bearerToken: d.auth.bearer_token,
    }),
);
