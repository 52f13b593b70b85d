// JavaScript: V8 (Node, Chrome, Edge: `    at fn (file:line:col)`), and SpiderMonkey / JavaScriptCore
// (Firefox, Safari: `fn@file:line:col`), with Safari's anonymous frames (a bare location, or a bare
// name such as `eval code` with no location), Safari 6's line without a column, Firefox names and
// URLs holding `@`, Firefox eval locations (`file.js line 26 > eval:1:30`), Opera 11
// (`<anonymous function: run>([arguments not available])@url:27`) and IE/Edge (`eval code`).
// Printed innermost call first, so frames are reversed.
// Handles `at async fn`, `at new X`, anonymous `at file:line:col`, eval frames, and the cause
// chains that Node's util.inspect (`[cause]: Error: …`, `[errors]: [ … ]` of an AggregateError)
// and pino (`caused by: Error: …`) append after the stack; a cause follows its exception.

import {
  ExceptionBuilder,
  lineNumber,
  MAX_FRAME_LINE_CHARS,
  splitTypeAndMessage,
  type RawException,
  type RawFrame,
} from './stack-trace.js';

const V8_FRAME_WITH_FUNCTION = /^\s*at (?:(async|new) )?(.+?) \((.+)\)$/;
const V8_FRAME_LOCATION_ONLY = /^\s*at (?:async )?([^\s(][^(]*)$/;
/** `fn@location`: the location is what follows the first `@` after which the name's brackets close. */
const GECKO_LOCATION = /^(?:.+:\d+(?::\d+)?|\[native code\])$/;
/** Safari's anonymous frame: a URL with line (and column) and nothing else. */
const BARE_LOCATION = /^\s*((?:https?|file|blob|webpack|app|capacitor|ms-appx(?:-web)?|chrome-extension|moz-extension|safari-extension):\/\/\S+:\d+(?::\d+)?)$/;
/** A frame with a name and no location: Safari's `eval code`, `baz`; V8's `at fn` (no location known). */
const BARE_NAME = /^[\w$.<>]+(?: code)?$/;
const V8_BARE_NAME = /^\s*at ([\w$.<>]+)$/;
/** Firefox: `file.js line 26 > eval line 2 > eval:1:30` → the file and the line that called eval. */
const FIREFOX_EVAL = /^(.*?) line (\d+) > (?:eval|Function)/;
const OPERA_ARGUMENTS = /\(\[arguments not available\]\)$/;
const OPERA_ANONYMOUS = /^<anonymous function(?:: ([^>]*))?>$/;
const LOCATION = /^(.*?):(\d+)(?::(\d+))?$/;
const EVAL_ORIGIN = /\(([^()]+):(\d+):(\d+)\)/;
const EVAL_ORIGIN_WITHOUT_POSITION = /\(([^()]+)\)/;
/** An error header that a bare name must not be taken for: `Error`, `TypeError`. */
const ERROR_NAME = /^[A-Z][\w$]*(?:Error|Exception)$/;
const CAUSE = /^\s*(?:\[cause\]|caused by|Caused by):\s*(.*)$/;
const ERRORS_OPEN = /^\s*\[errors\]:\s*\[\s*$/;
/** An error header inside `[errors]: [ … ]`: a capitalised type that names an error. */
const MEMBER = /^\s*([A-Z][\w$.]*(?:Error|Exception)[\w$]*(?: \[[^\]]*\])?)(?::\s?(.*?))?,?$/;
const IDENTIFIER = /^[\w$.]+$/;

export function parseJavaScript(lines: readonly string[]): RawException[] {
  const builder = new ExceptionBuilder();
  let started = false;
  let inErrors = false;
  // Firefox and Safari print no header: a bare name there is a frame, not the error's type.
  const gecko = !lines.some((line) => /^\s*at \S/.test(line)) && lines.some((line) => geckoFrame(line) !== null);
  for (const raw of lines) {
    if (raw.length > MAX_FRAME_LINE_CHARS && started) continue;
    // util.inspect ends a frame line with ` {` (properties follow) or `,` (inside a list).
    const line = raw.replace(/(?: \{|,)$/, '');
    if (line.startsWith('Error created at ')) continue; // Opera 11 repeats the first frame so
    const frame = jsFrame(line, gecko);
    if (frame !== null) {
      builder.frame(frame);
      started = true;
      continue;
    }
    const cause = CAUSE.exec(line);
    if (cause !== null) {
      const header = headerOf(cause[1]!);
      if (header !== null) builder.start(header.type, header.message);
      started = true;
      continue;
    }
    if (ERRORS_OPEN.test(line)) {
      inErrors = true;
      continue;
    }
    if (inErrors) {
      const member = MEMBER.exec(line);
      if (member !== null) {
        builder.start(cleanType(member[1]!), member[2] ?? '');
        continue;
      }
    }
    if (!started && line.trim() !== '') {
      const header = headerOf(line.trim()) ?? { type: '', message: line.trim() };
      builder.start(header.type, header.message);
      started = true;
    }
  }
  return builder.innermostFirstDone();
}

/** `TypeError: message`, `[AggregateError: message]`, `Uncaught Error`; null for `{ … }` causes. */
function headerOf(text: string): { type: string; message: string } | null {
  let header = text.replace(/^Uncaught /, '');
  if (header.startsWith('[') && /\](?: \{)?$/.test(header)) header = header.replace(/^\[/, '').replace(/\](?: \{)?$/, '');
  header = header.replace(/ \{$/, '');
  if (header === '' || header.startsWith('{') || header.startsWith("'") || header.startsWith('"')) return null;
  const { type, message } = splitTypeAndMessage(header);
  const cleaned = cleanType(type);
  if (!IDENTIFIER.test(cleaned)) return { type: '', message: header };
  return { type: cleaned, message };
}

/** `Error [ERR_HTTP_HEADERS_SENT]` → `Error`. */
function cleanType(type: string): string {
  return type.replace(/ \[[^\]]*\]$/, '');
}

function jsFrame(line: string, gecko: boolean): RawFrame | null {
  if (line.length > MAX_FRAME_LINE_CHARS) return null;
  const withFunction = V8_FRAME_WITH_FUNCTION.exec(line);
  if (withFunction !== null) {
    // `new X` is kept as printed (grouping reads it as `X`, as other engines print it).
    const name = withFunction[2] === 'eval code' ? 'eval' : withFunction[2]!;
    const fn = withFunction[1] === 'new' ? `new ${name}` : name;
    return locate(fn, withFunction[3]!);
  }
  const locationOnly = V8_FRAME_LOCATION_ONLY.exec(line);
  if (locationOnly !== null) {
    const location = locationOnly[1]!.trim();
    if (LOCATION.test(location) || location === '<anonymous>' || location === 'native') return locate('', location);
    const bareName = V8_BARE_NAME.exec(line);
    return bareName === null ? null : { function: bareName[1]!, module: '', file: '', line: 0, column: 0 };
  }
  const geckoMatch = geckoFrame(line);
  if (geckoMatch !== null) {
    const fn = geckoFunction(geckoMatch.fn);
    return geckoMatch.location === '[native code]' ? { function: fn, module: '', file: '', line: 0, column: 0 } : locate(fn, geckoMatch.location);
  }
  const bare = BARE_LOCATION.exec(line);
  if (bare !== null) return locate('', bare[1]!);
  if (gecko) {
    const name = line.trim();
    if (BARE_NAME.test(name) && !ERROR_NAME.test(name)) return { function: name, module: '', file: '', line: 0, column: 0 };
  }
  return null;
}

/** `fn@location`, split at the first `@` after which the name's brackets and quotes are closed. */
function geckoFrame(line: string): { fn: string; location: string } | null {
  const text = line.trim();
  if (text.length > MAX_FRAME_LINE_CHARS) return null;
  let brackets = 0;
  let parentheses = 0;
  let quoted = false;
  // One pass: the balance at each `@` is known when it is reached.
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') quoted = !quoted;
    else if (char === '[') brackets++;
    else if (char === ']') brackets--;
    else if (char === '(') parentheses++;
    else if (char === ')') parentheses--;
    else if (char === '@' && !quoted && brackets === 0 && parentheses === 0) {
      const location = text.slice(i + 1);
      return GECKO_LOCATION.test(location) ? { fn: text.slice(0, i), location } : null;
    }
  }
  return null;
}

/**
 * Firefox's `promise callback*fn` (async marker) → `fn`; `outer/inner<` → `inner`; `outer/<` (an
 * anonymous function inside outer) → '', as V8 and Safari print it; Opera's
 * `<anonymous function: run>([arguments not available])` → `run`.
 */
function geckoFunction(printed: string): string {
  let fn = printed.replace(/^.*\*/, '').replace(OPERA_ARGUMENTS, '');
  const opera = OPERA_ANONYMOUS.exec(fn);
  if (opera !== null) return opera[1] ?? '';
  if (!fn.includes('[')) fn = fn.slice(fn.lastIndexOf('/') + 1);
  return fn.replace(/<+$/, '');
}

function locate(fn: string, location: string): RawFrame | null {
  if (location.startsWith('eval at ')) {
    const origin = EVAL_ORIGIN.exec(location);
    if (origin !== null) return { function: fn, module: origin[1]!, file: '', line: lineNumber(origin[2]), column: lineNumber(origin[3]) };
    const unpositioned = EVAL_ORIGIN_WITHOUT_POSITION.exec(location);
    return { function: fn, module: unpositioned?.[1] ?? '', file: '', line: 0, column: 0 };
  }
  const firefoxEval = FIREFOX_EVAL.exec(location);
  if (firefoxEval !== null) return { function: fn, module: firefoxEval[1]!, file: '', line: lineNumber(firefoxEval[2]), column: 0 };
  const position = LOCATION.exec(location);
  if (position !== null && position[1] === 'eval code') return { function: fn, module: '', file: '', line: lineNumber(position[2]), column: lineNumber(position[3]) };
  if (position === null) {
    // `native`, `<anonymous>`, `index 0` (Promise.all): no file of the application. A V8 builtin's
    // `(native)` is kept as its file, as error-stack-parser reads it; the module (and so the
    // fingerprint) stays empty, and in-app rules leave it out.
    return { function: fn, module: '', file: location === 'native' ? '(native)' : '', line: 0, column: 0 };
  }
  return { function: fn, module: position[1]!, file: '', line: lineNumber(position[2]), column: lineNumber(position[3]) };
}
