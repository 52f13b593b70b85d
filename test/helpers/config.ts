// The config loader bound to Faultline's component table (src/components.ts), as main.ts uses it:
// tests load YAML exactly as `faultline validate` does.

import { COMPONENTS, type Config } from '../../src/components.js';
import type { Environment } from '../../src/config/env.js';
import * as load from '../../src/config/load.js';
import * as validate from '../../src/config/validate.js';

export type LoadResult = load.LoadResult<Config>;

export function parseConfig(yamlText: string, env: Environment): LoadResult {
  return load.parseConfig(yamlText, env, COMPONENTS);
}

export function loadConfigFile(path: string, env: Environment = process.env): Promise<LoadResult> {
  return load.loadConfigFile(path, COMPONENTS, env);
}

export function statedDefaults() {
  return validate.statedDefaults(COMPONENTS);
}

export function knownKeyPaths(): readonly string[] {
  return validate.knownKeyPaths(COMPONENTS);
}
