// The `errors` processor: not a stage but the settings of extraction (extract/options.ts) for the
// pipeline that lists it; a pipeline that lists none extracts with ERRORS_PROCESSOR_DEFAULTS.

import type { ProcessorFactory } from '../../component.js';
import { ERRORS_PROCESSOR_DEFAULTS, errorsProcessorType, type ErrorsProcessorConfig } from './config.js';

export const errorsProcessorFactory: ProcessorFactory<ErrorsProcessorConfig> = {
  type: 'errors',
  defaults: ERRORS_PROCESSOR_DEFAULTS,
  schema: errorsProcessorType,
};
