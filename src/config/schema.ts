// A small declarative schema for the config tree. Each Type decodes one YAML value at a path,
// pushing every problem it finds (it never stops at the first) and returning INVALID instead of
// a value when its own part is wrong, so the walk always reaches every key.

export interface ConfigProblem {
  /** Dotted YAML path, e.g. `receivers.otlp.protocols.http.endpoint`; list items as `[i]`. */
  readonly path: string;
  readonly message: string;
}

export const INVALID = Symbol('invalid');
export type Decoded<T> = T | typeof INVALID;

export interface Type<T> {
  /** `value` is undefined when the key is absent. */
  decode(value: unknown, path: string, problems: ConfigProblem[]): Decoded<T>;
  /** Leaf key paths at and below `path`, for the docs test. */
  keyPaths(path: string): string[];
  /** The defaults stated at and below `path` (withDefault), for the docs test; none when absent. */
  defaults?(path: string): StatedDefault[];
}

/** A default as the schema states it: its key path, the key's type, and the value absent means. */
export interface StatedDefault {
  readonly path: string;
  readonly type: Type<unknown>;
  readonly value: unknown;
}

/** The defaults a type states at and below `path`. */
export function defaultsOf(type: Type<unknown>, path: string): StatedDefault[] {
  return type.defaults?.(path) ?? [];
}

export function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** How a value reads in "expected X, got Y". */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A scalar: `convert` returns the value, or undefined when it does not fit `expected`. */
export function scalar<T>(expected: string, convert: (value: unknown) => T | undefined): Type<T> {
  return {
    decode(value, path, problems) {
      const converted = value === undefined || value === null ? undefined : convert(value);
      if (converted !== undefined) return converted;
      problems.push({ path, message: `expected ${expected}, got ${describe(value)}` });
      return INVALID;
    },
    keyPaths: (path) => [path],
  };
}

/** Absent → `fallback`. (Maps and lists read null as empty themselves.) */
export function withDefault<T>(type: Type<T>, fallback: T): Type<T> {
  return {
    decode: (value, path, problems) => (value === undefined ? fallback : type.decode(value, path, problems)),
    keyPaths: type.keyPaths,
    defaults: (path) => [{ path, type: type as Type<unknown>, value: fallback }],
  };
}

/** Absent → null; present (even as null or {}) → decoded with every default filled. */
export function optional<T>(type: Type<T>): Type<T | null> {
  return {
    decode: (value, path, problems) => (value === undefined ? null : type.decode(value, path, problems)),
    keyPaths: type.keyPaths,
    defaults: (path) => defaultsOf(type as Type<unknown>, path),
  };
}

/** A list; null or absent is empty. `check` sees the decoded items for cross-item rules. */
export function list<T>(
  item: Type<T>,
  check?: (items: readonly T[], path: string, problems: ConfigProblem[]) => void,
): Type<readonly T[]> {
  return {
    decode(value, path, problems) {
      if (value === undefined || value === null) value = [];
      if (!Array.isArray(value)) {
        problems.push({ path, message: `expected a list, got ${describe(value)}` });
        return INVALID;
      }
      const items = value.map((element, index) => item.decode(element, `${path}[${index}]`, problems));
      if (items.includes(INVALID)) return INVALID;
      const decoded = items as T[];
      check?.(decoded, path, problems);
      return decoded;
    },
    keyPaths: (path) => [path],
  };
}

type Fields = Record<string, Type<unknown>>;
export type DecodedFields<F extends Fields> = { [K in keyof F]: F[K] extends Type<infer T> ? T : never };

/** A map with known keys; null or absent means every key takes its default. */
export function object<F extends Fields>(
  fields: F,
  check?: (decoded: DecodedFields<F>, path: string, problems: ConfigProblem[]) => void,
): Type<DecodedFields<F>> {
  const known = Object.keys(fields);
  return {
    decode(value, path, problems) {
      if (value === undefined || value === null) value = {};
      if (!isMap(value)) {
        problems.push({ path, message: `expected a map, got ${describe(value)}` });
        return INVALID;
      }
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(fields, key)) {
          problems.push({ path: joinPath(path, key), message: unknownMessage('key', key, known) });
        }
      }
      const decoded: Record<string, unknown> = {};
      let valid = true;
      for (const key of known) {
        decoded[key] = fields[key].decode(value[key], joinPath(path, key), problems);
        if (decoded[key] === INVALID) valid = false;
      }
      if (!valid) return INVALID;
      check?.(decoded as DecodedFields<F>, path, problems);
      return decoded as DecodedFields<F>;
    },
    keyPaths: (path) => {
      const paths = known.flatMap((key) => fields[key].keyPaths(joinPath(path, key)));
      return paths.length === 0 ? [path] : paths;
    },
    defaults: (path) => known.flatMap((key) => defaultsOf(fields[key], joinPath(path, key))),
  };
}

const COMPONENT_ID = /^([A-Za-z][A-Za-z0-9_]*)(?:\/([^\s/]+))?$/;

/**
 * A section of components keyed by id `type[/name]` (`otlp`, `otlp/edge`). Each type has its own
 * schema; `build` turns the decoded value into the component's config.
 */
export function components<T>(
  kind: string,
  types: Readonly<Record<string, Type<(id: string) => T>>>,
): Type<ReadonlyMap<string, T>> {
  const known = Object.keys(types);
  return {
    decode(value, path, problems) {
      if (value === undefined || value === null) value = {};
      if (!isMap(value)) {
        problems.push({ path, message: `expected a map of ${kind}s by id, got ${describe(value)}` });
        return INVALID;
      }
      const decoded = new Map<string, T>();
      let valid = true;
      for (const [id, body] of Object.entries(value)) {
        const idPath = joinPath(path, id);
        const match = COMPONENT_ID.exec(id);
        if (match === null) {
          problems.push({ path: idPath, message: `invalid ${kind} id "${id}"; expected type or type/name` });
          valid = false;
          continue;
        }
        if (!Object.hasOwn(types, match[1])) {
          problems.push({ path: idPath, message: unknownMessage(`${kind} type`, match[1], known) });
          valid = false;
          continue;
        }
        const build = types[match[1]].decode(body, idPath, problems);
        if (build === INVALID) valid = false;
        else decoded.set(id, build(id));
      }
      return valid ? decoded : INVALID;
    },
    keyPaths: (path) => known.flatMap((type) => types[type].keyPaths(joinPath(path, type))),
    defaults: (path) => known.flatMap((type) => defaultsOf(types[type] as Type<unknown>, joinPath(path, type))),
  };
}

/** Turns a decoded value into something else, e.g. a component's config from its id. */
export function map<A, B>(type: Type<A>, to: (decoded: A) => B): Type<B> {
  return {
    decode(value, path, problems) {
      const decoded = type.decode(value, path, problems);
      return decoded === INVALID ? INVALID : to(decoded);
    },
    keyPaths: type.keyPaths,
    defaults: (path) => defaultsOf(type as Type<unknown>, path),
  };
}

function unknownMessage(what: string, name: string, known: readonly string[]): string {
  const suggestion = closest(name, known);
  if (suggestion !== undefined) return `unknown ${what} "${name}"; did you mean "${suggestion}"?`;
  return `unknown ${what} "${name}"; known: ${known.length === 0 ? 'none' : known.join(', ')}`;
}

/** The known name within edit distance 2 of `name`, nearest first. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

/** A component's schema: decodes its YAML body into a function from its id to its config. */
export type ComponentType<T> = Type<(id: string) => T>;
