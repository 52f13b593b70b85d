// Whether a frame is the application's own code rather than a library, the runtime or vendored
// code. Only in-app frames feed the fingerprint and the culprit, so a library upgrade that moves
// its own frames does not split a group. The `group` processor's in_app_include / in_app_exclude
// patterns (substrings of the module or file path) come first: exclude wins over include, and
// both win over the sender's own decision (a Sentry SDK's `in_app` on structured frames), which
// wins over the built-in rules below.

import type { RawFrame, StackLanguage } from './stack-trace.js';

export interface InAppPatterns {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/** `senderSaid`: the in-app flag the sender put on a structured frame, when it did. */
export type InAppClassifier = (frame: RawFrame, language: StackLanguage, senderSaid?: boolean) => boolean;

/** Path pieces of dependency, vendored and runtime code, in any language. */
const LIBRARY_PATHS = [
  '/node_modules/',
  'node_modules/',
  '/site-packages/',
  '/dist-packages/',
  '/vendor/',
  '/gems/',
  '/pkg/mod/',
  '/.cargo/registry/',
];

/** Java, Kotlin, Scala and .NET namespaces of the runtime and its standard libraries. */
const LIBRARY_NAMESPACES =
  /^(?:java|javax|jakarta|sun|com\.sun|jdk|kotlin|kotlinx|scala|groovy|System|Microsoft|Windows)\./;

const PYTHON_STDLIB = /\/lib\/python\d+(?:\.\d+)?\//;
/** A Rails log's gem frame: `actionpack (5.1.4) lib/…`. */
const RUBY_GEM_PREFIX = /^[\w.-]+ \([\w.]+\) /;
/** A Go module's file as printed with -trimpath or from the module cache: `…/sdk@v1.28.0/trace/span.go`. */
const GO_MODULE_VERSION = /@v\d+\.\d+\.\d+[^/]*\//;
/** webpack's own runtime and bundler prefixes: `webpack:///webpack/bootstrap`, `webpack:///(webpack)/…`. */
const BUNDLER_RUNTIME = /^webpack:\/\/\/?(?:webpack\/|\(webpack\)|\(webpack\)-)/;
/** Go's standard library, by first path element (a module named without a dot may share none of these). */
const GO_STANDARD = new Set(
  'archive bufio builtin bytes cmp compress container context crypto database debug embed encoding errors expvar flag fmt go hash html image index internal io iter log maps math mime net os path plugin reflect regexp runtime slices sort strconv strings sync syscall testing text time unicode unique unsafe weak'.split(' '),
);
const RUST_LIBRARY = /^(?:std|core|alloc|backtrace|tokio|futures|hyper|axum|actix_web|tower|<[\w:]+ as (?:std|core|alloc)::)/;
const RUBY_STDLIB = /\/lib\/ruby\/\d+\.\d+\.\d+\//;

export function createInAppClassifier(patterns: InAppPatterns): InAppClassifier {
  const { include, exclude } = patterns;
  return (frame, language, senderSaid) => {
    if (exclude.length > 0 && matchesAny(frame, exclude)) return false;
    if (include.length > 0 && matchesAny(frame, include)) return true;
    if (senderSaid !== undefined) return senderSaid;
    return builtInInApp(frame, language);
  };
}

function matchesAny(frame: RawFrame, patterns: readonly string[]): boolean {
  for (const pattern of patterns) if (matchesInAppPattern(frame, pattern)) return true;
  return false;
}

/** Whether an in_app_include / in_app_exclude pattern names this frame (a substring of its module or file). */
export function matchesInAppPattern(frame: RawFrame, pattern: string): boolean {
  return frame.module.includes(pattern) || frame.file.includes(pattern);
}

function builtInInApp(frame: RawFrame, language: StackLanguage): boolean {
  const { module, file } = frame;
  if (module === '' && file === '') return false;
  for (const path of LIBRARY_PATHS) if (module.includes(path) || file.includes(path)) return false;
  switch (language) {
    case 'java':
    case 'dotnet':
      return !LIBRARY_NAMESPACES.test(module);
    case 'javascript':
      // An `eval` frame is native code in Safari and Edge but a file's line in V8 and Firefox: it is
      // left out so one error groups alike in every browser.
      return !(module.startsWith('node:') || module.startsWith('internal/') || module === 'native' || file === '(native)' || BUNDLER_RUNTIME.test(module) || frame.function === 'eval');
    case 'python':
      return !(module.startsWith('<frozen ') || PYTHON_STDLIB.test(module));
    case 'ruby':
      return !(module.startsWith('<internal:') || RUBY_STDLIB.test(module) || RUBY_GEM_PREFIX.test(file));
    case 'go':
      return !(GO_MODULE_VERSION.test(file) || isGoRuntimeOrStandard(module, file));
    case 'dart':
      return !(module.startsWith('dart:') || module.startsWith('package:flutter/') || module.startsWith('org-dartlang-sdk:'));
    case 'rust':
      return !(RUST_LIBRARY.test(module) || module === '' || file.startsWith('/rustc/') || file.includes('/.cargo/'));
    case 'php':
      return module !== '[internal function]';
    default:
      return true;
  }
}

/**
 * Go's runtime, and its standard library: a package path whose first element has no dot
 * (`net/http`) whose file lies under a GOROOT-like `src/<package>/` (wherever Go is installed), so
 * a module named without a dot (`module shop`) stays in-app.
 */
function isGoRuntimeOrStandard(packagePath: string, file: string): boolean {
  if (packagePath === 'runtime' || packagePath.startsWith('runtime/')) return true;
  if (packagePath === 'main' || packagePath.split('/', 1)[0]!.includes('.')) return false;
  // -trimpath prints the standard library's files as `net/http/server.go`.
  return file.includes(`/src/${packagePath}/`) || (GO_STANDARD.has(packagePath.split('/', 1)[0]!) && file.startsWith(`${packagePath}/`));
}
