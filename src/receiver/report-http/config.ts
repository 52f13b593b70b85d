// The `report` receiver's keys and defaults (receivers.report): POST /api/v1/report and /report on
// the admin endpoint. Registered in config/component-types.ts; docs/config.md lists the same keys.

import { map, object, withDefault } from '../../config/schema.js';
import type { ReportReceiverConfig } from '../../config/types.js';
import { size, text } from '../../config/value-types.js';

export const REPORT_RECEIVER_DEFAULTS: Omit<ReportReceiverConfig, 'id' | 'type'> = {
  maxRequestBodyBytes: 1024 * 1024,
  bearerToken: '',
};

export const reportReceiverType = map(
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
