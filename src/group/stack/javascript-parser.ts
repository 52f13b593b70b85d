// JavaScript: V8 (Node, Chrome, Edge: `    at fn (file:line:col)`), and SpiderMonkey / JavaScriptCore
// (Firefox, Safari: `fn@file:line:col`). Printed innermost call first, so frames are reversed.
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
const GECKO_FRAME = /^\s*([^@\s]*)@(.+:\d+(?::\d+)?|\[native code\])$/;
const LOCATION = /^(.*?):(\d+)(?::(\d+))?$/;
const EVAL_ORIGIN = /\(([^()]+):(\d+):(\d+)\)/;
const CAUSE = /^\s*(?:\[cause\]|caused by|Caused by):\s*(.*)$/;
const ERRORS_OPEN = /^\s*\[errors\]:\s*\[\s*$/;
/** An error header inside `[errors]: [ … ]`: a capitalised type that names an error. */
const MEMBER = /^\s*([A-Z][\w$.]*(?:Error|Exception)[\w$]*(?: \[[^\]]*\])?)(?::\s?(.*?))?,?$/;
const IDENTIFIER = /^[\w$.]+$/;

export function parseJavaScript(lines: readonly string[]): RawException[] {
  const builder = new ExceptionBuilder();
  let started = false;
  let inErrors = false;
  for (const raw of lines) {
    if (raw.length > MAX_FRAME_LINE_CHARS && started) continue;
    // util.inspect ends a frame line with ` {` (properties follow) or `,` (inside a list).
    const line = raw.replace(/(?: \{|,)$/, '');
    const frame = jsFrame(line);
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

function jsFrame(line: string): RawFrame | null {
  if (line.length > MAX_FRAME_LINE_CHARS) return null;
  const withFunction = V8_FRAME_WITH_FUNCTION.exec(line);
  if (withFunction !== null) {
    const prefix = withFunction[1];
    const fn = prefix === 'new' ? `new ${withFunction[2]}` : withFunction[2]!;
    return locate(fn, withFunction[3]!);
  }
  const locationOnly = V8_FRAME_LOCATION_ONLY.exec(line);
  if (locationOnly !== null) {
    const location = locationOnly[1]!.trim();
    if (!LOCATION.test(location) && location !== '<anonymous>' && location !== 'native') return null;
    return locate('', location);
  }
  const gecko = GECKO_FRAME.exec(line);
  if (gecko !== null) {
    // `promise callback*fn`, `fn/<`: async markers and nested-closure suffixes.
    const fn = gecko[1]!.replace(/^.*\*/, '').replace(/\/<+$/, '').replace(/<$/, '');
    return gecko[2] === '[native code]' ? { function: fn, module: '', file: '', line: 0, column: 0 } : locate(fn, gecko[2]!);
  }
  return null;
}

function locate(fn: string, location: string): RawFrame | null {
  if (location.startsWith('eval at ')) {
    const origin = EVAL_ORIGIN.exec(location);
    if (origin === null) return { function: fn, module: '', file: '', line: 0, column: 0 };
    return { function: fn, module: origin[1]!, file: '', line: lineNumber(origin[2]), column: lineNumber(origin[3]) };
  }
  const position = LOCATION.exec(location);
  if (position === null) {
    // `native`, `<anonymous>`, `index 0` (Promise.all): no file of the application.
    return { function: fn, module: '', file: '', line: 0, column: 0 };
  }
  return { function: fn, module: position[1]!, file: '', line: lineNumber(position[2]), column: lineNumber(position[3]) };
}
