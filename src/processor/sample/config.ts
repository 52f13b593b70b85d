// The `sample` processor's keys (processors.sample[/name]) and defaults.

import { map, object, withDefault, type ComponentType } from '../../config/schema.js';
import { integer } from '../../config/value-types.js';

export interface SampleProcessorConfig {
  readonly type: 'sample';
  readonly id: string;
  /** Events per group per minute whose details are stored; the rest get keepSample false. */
  readonly samplesPerMinute: number;
  /** Groups tracked at once; past it the oldest window is forgotten. */
  readonly maxGroups: number;
}

export const SAMPLE_DEFAULTS: Omit<SampleProcessorConfig, 'id' | 'type'> = {
  samplesPerMinute: 10,
  maxGroups: 10_000,
};

export const sampleProcessorType: ComponentType<SampleProcessorConfig> = map(
  object({
    samples_per_minute: withDefault(integer(0), SAMPLE_DEFAULTS.samplesPerMinute),
    max_groups: withDefault(integer(1), SAMPLE_DEFAULTS.maxGroups),
  }),
  (d) =>
    (id: string): SampleProcessorConfig => ({
      type: 'sample',
      id,
      samplesPerMinute: d.samples_per_minute,
      maxGroups: d.max_groups,
    }),
);
