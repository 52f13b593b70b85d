// ${env:NAME} and ${env:NAME:-default} in scalar string values, applied after YAML parsing so a
// variable's text can never change the document's structure. A value that is exactly one reference
// becomes a number or boolean when the variable reads as one (`${env:PORT}` → 4318); otherwise the
// text is interpolated. `$$` is a literal `$`. As in a shell, `:-default` also covers an empty variable.

import { parse } from 'yaml';
import { isMap, joinPath, type ConfigProblem } from './schema.js';

export type Environment = Readonly<Record<string, string | undefined>>;

const WHOLE_REFERENCE = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;

/** A copy of `tree` with every reference replaced; a value with a problem becomes undefined. */
export function substituteEnv(tree: unknown, env: Environment): { tree: unknown; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  return { tree: walk(tree, '', env, problems), problems };
}

function walk(value: unknown, path: string, env: Environment, problems: ConfigProblem[]): unknown {
  if (typeof value === 'string') return substitute(value, path, env, problems);
  if (Array.isArray(value)) return value.map((item, index) => walk(item, `${path}[${index}]`, env, problems));
  if (isMap(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, walk(item, joinPath(path, key), env, problems)]),
    );
  }
  return value;
}

function substitute(text: string, path: string, env: Environment, problems: ConfigProblem[]): unknown {
  if (!text.includes('$')) return text;
  const whole = WHOLE_REFERENCE.exec(text);
  if (whole !== null) {
    const resolved = resolve(whole[1], whole[2], path, env, problems);
    return resolved === undefined ? undefined : typed(resolved);
  }
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const next = text[i + 1];
    if (text[i] !== '$' || (next !== '$' && next !== '{')) {
      out += text[i];
    } else if (next === '$') {
      out += '$';
      i++;
    } else {
      const close = text.indexOf('}', i);
      if (close < 0) {
        problems.push({ path, message: `unterminated reference "${text.slice(i)}"` });
        return undefined;
      }
      const reference = text.slice(i, close + 1);
      const match = WHOLE_REFERENCE.exec(reference);
      if (match === null) {
        problems.push({
          path,
          message: `unsupported reference "${reference}"; expected \${env:NAME} or \${env:NAME:-default} ($$ is a literal $)`,
        });
        return undefined;
      }
      const resolved = resolve(match[1], match[2], path, env, problems);
      if (resolved === undefined) return undefined;
      out += resolved;
      i = close;
    }
  }
  return out;
}

function resolve(
  name: string,
  fallback: string | undefined,
  path: string,
  env: Environment,
  problems: ConfigProblem[],
): string | undefined {
  const value = env[name];
  if (fallback !== undefined && (value === undefined || value === '')) return fallback;
  if (value === undefined) problems.push({ path, message: `environment variable ${name} is not set` });
  return value;
}

/** The variable's text as YAML would read it, keeping only numbers and booleans; all else stays text. */
function typed(text: string): unknown {
  try {
    const parsed: unknown = parse(text);
    return typeof parsed === 'number' || typeof parsed === 'boolean' ? parsed : text;
  } catch {
    return text;
  }
}
