// The `sample` processor's keys (processors.sample[/name]) and defaults.

import type { ComponentType } from '../../config/component-types.js';
import { map, object, withDefault } from '../../config/schema.js';
import type { SampleProcessorConfig } from '../../config/types.js';
import { integer } from '../../config/value-types.js';

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
