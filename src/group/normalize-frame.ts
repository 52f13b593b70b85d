// Frames → what the fingerprint hashes: the function and the module with everything that changes
// from one deploy or build to the next taken out. Line and column are never hashed, so a deploy
// that shifts lines keeps the group. Stripped from modules and file paths: scheme and host,
// query strings and fragments, version segments (`/static/1.0/`, `@4.17.21`, `-v2.3.1`, `python3.11`),
// content hashes in file names (`main.a1b2.js` ≡ `main.c3d4.js`), JVM lambda and proxy ids.
// Stripped from functions: generated numbering (`lambda$main$0`, Go `func1`, .NET `<Post>b__0`).
//
// A frame's identity also survives a different deploy root and a different browser: file paths are
// keyed relative to the trace's own project root (the directory its in-app files share, so
// `/tmp/tmpa1b2c3d4/srv/shop/app/views.py` and `/var/task/srv/shop/app/views.py` read alike),
// library paths from their package directory on (`node_modules/express/…`), and JavaScript
// function names as every engine prints them (`Object.aha`, `Foo.prototype.aha`, `aha` → `aha`;
// `Anonymous function`, `global code`, `<anonymous>` → ''). .NET async state machines
// (`Ns.Type.<Method>d__4.MoveNext`) read as the method they run.

import type { Frame } from './grouping.js';
import type { StackLanguage } from './stack/stack-trace.js';

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

/** How a trace's frames are keyed: its language and the project root its in-app paths share. */
export interface FrameContext {
  readonly language: StackLanguage;
  /** '' when the language keys frames by module or class, or no in-app path was seen. */
  readonly root: string;
}

/** Languages whose frames name a file path (rather than a class or package). */
const PATH_LANGUAGES: ReadonlySet<StackLanguage> = new Set(['javascript', 'python', 'ruby', 'php', 'dart']);
/** Where a package manager puts dependencies: a library path is keyed from here on. */
const PACKAGE_DIRECTORY = /(?:^|\/)(?:node_modules|site-packages|dist-packages|gems|vendor|pkg\/mod)\/(?!.*\/(?:node_modules|site-packages|dist-packages|gems|vendor|pkg\/mod)\/)/;
const STATE_MACHINE = /^(.*)\.<([^>]+)>d__\d+$/;

/** A path with `\` as `/` and no Windows drive letter, normalised as normalizeModule does. */
function pathOf(module: string): string {
  let path = normalizeModule(module);
  if (path.includes('\\')) path = path.replace(/\\/g, '/');
  return path.replace(/^\/?[A-Za-z]:\//, '/');
}

/** The directory every in-app path of the trace lies under, for keying paths relative to it. */
export function frameContext(language: StackLanguage, frames: readonly Frame[]): FrameContext {
  if (!PATH_LANGUAGES.has(language)) return { language, root: '' };
  let root: string | null = null;
  for (const frame of frames) {
    if (!frame.inApp) continue;
    const path = pathOf(frame.module);
    if (!path.includes('/') || PACKAGE_DIRECTORY.test(path)) continue;
    const directory = path.slice(0, path.lastIndexOf('/') + 1);
    root = root === null ? directory : commonDirectory(root, directory);
  }
  return { language, root: root ?? '' };
}

function commonDirectory(a: string, b: string): string {
  let end = 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length && a[i] === b[i]; i++) if (a[i] === '/') end = i + 1;
  return a.slice(0, end);
}

/** The module as the fingerprint keys it: project-relative or from the package directory on. */
function keyedModule(module: string, context: FrameContext | undefined): string {
  if (context === undefined || !PATH_LANGUAGES.has(context.language)) return normalizeModule(module);
  const path = pathOf(module);
  const library = PACKAGE_DIRECTORY.exec(path);
  if (library !== null) return path.slice(library.index + (library[0].startsWith('/') ? 1 : 0));
  return context.root !== '' && path.startsWith(context.root) ? path.slice(context.root.length) : path;
}

/** `Object.aha`, `Foo.prototype.aha`, `new Foo`, `Anonymous function` → what every engine would call it. */
function javaScriptFunction(fn: string): string {
  let name = fn.replace(/^(?:async|new) /, '').replace(/ \[as [^\]]*\]$/, '');
  if (/^(?:Anonymous function|<anonymous>|global code|Global code|module code)$/.test(name)) return '';
  if (name === 'eval code') return 'eval';
  if (!name.includes('[') && name.includes('.')) name = name.slice(name.lastIndexOf('.') + 1);
  return name === '<anonymous>' ? '' : name;
}

/** The function and module a frame stands for, before normalising. */
function identity(frame: Frame): { fn: string; module: string } {
  if (frame.function === 'MoveNext') {
    const stateMachine = STATE_MACHINE.exec(frame.module);
    if (stateMachine !== null) return { fn: stateMachine[2]!, module: stateMachine[1]! };
  }
  return { fn: frame.function, module: frame.module };
}

/** The part of a frame that goes into the fingerprint. */
export function frameKey(frame: Frame, context?: FrameContext): string {
  const { fn, module: printedModule } = identity(frame);
  const module = keyedModule(printedModule, context);
  if (isMinified(frame, normalizeModule(printedModule))) return `\u0001${module}`;
  const name = context?.language === 'javascript' ? javaScriptFunction(fn) : fn;
  return `${normalizeFunction(name)}\u0001${module}`;
}

/** `loadUser (src/users.js)`: how the culprit frame reads. */
export function describeFrame(frame: Frame): string {
  const { fn: printed, module: printedModule } = identity(frame);
  const module = normalizeModule(printedModule);
  const fn = printed === '' ? '<anonymous>' : normalizeFunction(printed);
  return module === '' ? fn : `${fn} (${module})`;
}
