// What a valid config may say that is probably not meant: `faultline validate` prints these (and
// still exits 0), and the components log them at start. Each names its YAML path; each component
// type says its own (factory.warnings).

import type { ComponentTable, FactoryBase } from '../component.js';
import type { ConfigProblem } from './schema.js';
import type { ComponentConfig, FaultlineConfig } from './types.js';

export function configWarnings<R extends ComponentConfig, P extends ComponentConfig, E extends ComponentConfig, X extends ComponentConfig>(
  config: FaultlineConfig<R, P, E, X>,
  table: ComponentTable<R, P, E, X>,
): ConfigProblem[] {
  return [
    ...warningsOf(config.receivers, table.receivers),
    ...warningsOf(config.processors, table.processors),
    ...warningsOf(config.exporters, table.exporters),
    ...warningsOf(config.extensions, table.extensions),
  ];
}

function warningsOf<C extends ComponentConfig>(configs: ReadonlyMap<string, C>, factories: readonly FactoryBase<C>[]): ConfigProblem[] {
  return [...configs.values()].flatMap((config) => factories.find((factory) => factory.type === config.type)?.warnings?.(config) ?? []);
}
