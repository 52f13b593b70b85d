// What a valid config may say that is probably not meant: `faultline validate` prints these (and
// still exits 0), and the components log them at start. Each names its YAML path.

import { alertsConfigWarnings } from '../alert/config.js';
import type { ConfigProblem } from './schema.js';
import type { FaultlineConfig } from './types.js';

export function configWarnings(config: FaultlineConfig): ConfigProblem[] {
  return [...config.exporters.values()].flatMap((exporter) => (exporter.type === 'alerts' ? alertsConfigWarnings(exporter) : []));
}
