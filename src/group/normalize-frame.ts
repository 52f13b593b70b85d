// Frames → what the fingerprint hashes: the function and the module with everything that changes
// from one deploy or build to the next taken out. Line and column are never hashed, so a deploy
// that shifts lines keeps the group. Stripped from modules and file paths: scheme and host,
// query strings and fragments, version segments (`/static/1.0/`, `@4.17.21`, `-v2.3.1`, `python3.11`),
// content hashes in file names (`main.a1b2.js` ≡ `main.c3d4.js`), JVM lambda and proxy ids.
// Stripped from functions: generated numbering (`lambda$main$0`, Go `func1`, .NET `<Post>b__0`).

import type { Frame } from './grouping.js';

const SCHEME_AND_HOST = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/]*|file:\/\/|webpack-internal:\/\/\/?|webpack:\/\/\/?)/i;
const QUERY_OR_FRAGMENT = /[?#].*$/;
/** A path segment that is only a version or a build number: `1.0`, `v2.3.1`, `2024.01.15`, `1713`. */
const VERSION_SEGMENT = /\/v?\d+(?:[._]\d+)*(?:[-+][\w.]+)?(?=\/)/g;
/** A version glued to a name: `lodash@4.17.21`, `rack-3.0.8`, `python3.11`, `foo_1.2.3`. */
const GLUED_VERSION = /([@_-]|[a-z])v?\d+(?:\.\d+)+(?:[-+][\w.]+)?(?=\/|$)/gi;
/** A content hash between dots, dashes or underscores before the extension, with a digit in it. */
const FILE_HASH = /[._-](?=[0-9a-z]*\d)(?=[0-9a-z]*[a-z])[0-9a-z]{4,32}(?=\.[a-z0-9]{1,5}$)/i;
const JVM_GENERATED = /\$\$(?:Lambda|EnhancerBySpringCGLIB|FastClassBySpringCGLIB|SpringCGLIB)\$\$?[\w]*(?:\/0x[0-9a-f]+)?/g;
const HEX_ADDRESS = /\/0x[0-9a-f]+/gi;

// Each pattern below needs a digit, a `$` or a `/0x` to match: the checks before each replace
// skip the regex work on the common module or name that has none (same result, far cheaper).

/** A module or file path without what changes from build to build. */
export function normalizeModule(module: string): string {
  if (module === '') return '';
  let path = module.replace(SCHEME_AND_HOST, '');
  if (path.includes('?') || path.includes('#')) path = path.replace(QUERY_OR_FRAGMENT, '');
  if (path.includes('$$')) path = path.replace(JVM_GENERATED, '$$$$Generated');
  if (!hasDigit(path)) return path;
  path = path.replace(HEX_ADDRESS, '').replace(VERSION_SEGMENT, '').replace(GLUED_VERSION, '$1');
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1).replace(FILE_HASH, '');
  return `${path.slice(0, slash + 1)}${base}`;
}

/** A function name without generated numbering. */
export function normalizeFunction(fn: string): string {
  let name = fn.startsWith('async ') ? fn.slice(6) : fn;
  if (!hasDigit(name)) return name;
  if (name.includes('lambda$')) name = name.replace(/(lambda\$[\w]+?)\$\d+$/, '$1'); // Java: lambda$main$0
  if (name.includes('func')) name = name.replace(/\bfunc\d+(?=\.|$)/g, 'func'); // Go: handle.func1
  if (name.includes('__') || name.includes('|')) name = name.replace(/(__|\|)\d+(?:_\d+)?/g, '$1'); // .NET: <Post>b__0, <SendAsync>g__Core|83_0, d__4
  if (name.includes('$anonfun$')) name = name.replace(/\$anonfun\$(\w+)\$\d+/g, '$$anonfun$$$1'); // Scala: $anonfun$renderAll$1
  return name;
}

function hasDigit(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) return true;
  }
  return false;
}

/**
 * Whether a JavaScript frame comes from a minified bundle: its function names are renamed on each
 * build, so only its module is hashed. Seen as line 1 at a far column, or a `.min.` file.
 */
export function isMinifiedFrame(frame: Frame): boolean {
  return isMinified(frame, normalizeModule(frame.module));
}

function isMinified(frame: Frame, normalizedModule: string): boolean {
  return /\.(?:m|c)?js$/.test(normalizedModule) && ((frame.line === 1 && frame.column > 500) || frame.module.includes('.min.'));
}

/** The part of a frame that goes into the fingerprint. */
export function frameKey(frame: Frame): string {
  const module = normalizeModule(frame.module);
  return isMinified(frame, module) ? `\u0001${module}` : `${normalizeFunction(frame.function)}\u0001${module}`;
}

/** `loadUser (src/users.js)`: how the culprit frame reads. */
export function describeFrame(frame: Frame): string {
  const module = normalizeModule(frame.module);
  const fn = frame.function === '' ? '<anonymous>' : normalizeFunction(frame.function);
  return module === '' ? fn : `${fn} (${module})`;
}
