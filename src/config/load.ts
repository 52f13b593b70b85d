// Loads otel-config.yaml: YAML → ${env:...} substitution → schema walk with defaults → frozen
// FaultlineConfig. Never throws on bad input: every problem comes back with its YAML path (syntax
// errors with line and column instead), for `faultline validate` and start-up to print at once.

import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { substituteEnv, type Environment } from './env.js';
import type { ConfigProblem } from './schema.js';
import type { ComponentTable } from '../component.js';
import type { ComponentConfig, FaultlineConfig } from './types.js';
import { validateConfig } from './validate.js';

export type { ConfigProblem } from './schema.js';

export type LoadResult<C extends FaultlineConfig = FaultlineConfig> =
  | { readonly ok: true; readonly config: C }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Loads and validates a config file against the component types of `table`. */
export async function loadConfigFile<R extends ComponentConfig, P extends ComponentConfig, E extends ComponentConfig, X extends ComponentConfig>(
  path: string,
  table: ComponentTable<R, P, E, X>,
  env: Environment = process.env,
): Promise<LoadResult<FaultlineConfig<R, P, E, X>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [{ path: '', message: `cannot read config file: ${reason}` }] };
  }
  return parseConfig(text, env, table);
}

export function parseConfig<R extends ComponentConfig, P extends ComponentConfig, E extends ComponentConfig, X extends ComponentConfig>(
  yamlText: string,
  env: Environment,
  table: ComponentTable<R, P, E, X>,
): LoadResult<FaultlineConfig<R, P, E, X>> {
  const document = parseDocument(yamlText, { uniqueKeys: true });
  if (document.errors.length > 0) {
    return { ok: false, problems: document.errors.map((error) => syntaxProblem(error.message, error.linePos?.[0])) };
  }
  let tree: unknown;
  try {
    tree = document.toJS();
  } catch (error) {
    return { ok: false, problems: [syntaxProblem(error instanceof Error ? error.message : String(error))] };
  }
  const substituted = substituteEnv(tree, env);
  const validated = validateConfig(substituted.tree, table);
  if (validated.ok && substituted.problems.length === 0) return validated;
  // A value whose reference failed was dropped, so the schema's word on that path adds nothing.
  const envPaths = new Set(substituted.problems.map((problem) => problem.path));
  const rest = validated.ok ? [] : validated.problems.filter((problem) => !envPaths.has(problem.path));
  return { ok: false, problems: [...substituted.problems, ...rest] };
}

function syntaxProblem(message: string, position?: { line: number; col: number }): ConfigProblem {
  const reason = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  const where = position === undefined ? '' : `line ${position.line}, column ${position.col}: `;
  return { path: '', message: `${where}${reason}` };
}
