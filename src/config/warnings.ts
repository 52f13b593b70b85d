// What a valid config may say that is probably not meant: `faultline validate` prints these (and
// still exits 0), and the components log them at start. Each names its YAML path; each component
// type says its own (factory.warnings).

import type { ComponentTable, FactoryBase } from '../component.js';
import { authEnabled } from './admin-auth.js';
import { isLoopbackHost, parseEndpoint } from './endpoints.js';
import type { ConfigProblem } from './schema.js';
import type { ComponentConfig, FaultlineConfig } from './types.js';

export function configWarnings<R extends ComponentConfig, P extends ComponentConfig, E extends ComponentConfig, X extends ComponentConfig>(
  config: FaultlineConfig<R, P, E, X>,
  table: ComponentTable<R, P, E, X>,
): ConfigProblem[] {
  return [
    ...adminWarnings(config),
    ...warningsOf(config.receivers, table.receivers),
    ...warningsOf(config.processors, table.processors),
    ...warningsOf(config.exporters, table.exporters),
    ...warningsOf(config.extensions, table.extensions),
  ];
}

function warningsOf<C extends ComponentConfig>(configs: ReadonlyMap<string, C>, factories: readonly FactoryBase<C>[]): ConfigProblem[] {
  return [...configs.values()].flatMap((config) => factories.find((factory) => factory.type === config.type)?.warnings?.(config) ?? []);
}

/** What start-up logs (admin/auth.ts) and `validate` prints when the admin endpoint is open beyond loopback. */
export const EXPOSED_WARNING =
  'the admin endpoint listens beyond loopback without authentication: anyone who reaches it can read error groups and change them; configure bearer_tokens or basic_auth, or bind it to 127.0.0.1';

function adminWarnings(config: FaultlineConfig): ConfigProblem[] {
  const host = parseEndpoint(config.admin.endpoint)?.host ?? '';
  if (authEnabled(config.admin.auth) || isLoopbackHost(host)) return [];
  return [{ path: 'service.telemetry.metrics.auth', message: EXPOSED_WARNING }];
}
