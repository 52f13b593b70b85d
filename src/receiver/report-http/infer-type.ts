// The exception type of a report that did not say (`error.type` absent): seed-style clients post
// `{ message, stack }` with a traceback and no type, and would otherwise all be `Error`.
//   1. the stack trace, read by the group stage's own per-language parsers (one reading of each
//      format, not a second one here): their chain puts the top-level exception first, so this is
//      the last exception line of a Python traceback, the header of a Java trace above its
//      `Caused by:` chain, the header line of a JavaScript stack;
//   2. else a message `Type: rest` whose Type looks like an exception class (`KeyError: 'x'`,
//      `java.lang.IllegalStateException: …`, `ActionController::RoutingError: …`).
// Returns '' when neither says; the caller then uses `Error`. Not on a hot path: once per report.

import { parseStacktrace } from '../../group/stack/parse-stacktrace.js';

/** Longer inferred names are not taken: a type is a label value, not a sentence. */
const MAX_TYPE_CHARS = 200;

/**
 * What a type read from a stack must look like: a class name, qualified with `.` or `::` or not,
 * its last part capitalised. Parsers take a header apart by shape, so a log prefix (`Jul 09, 2015
 * 3:23:29 PM …`), PHP's `exception 'E' with message …` or Go's `panic` can come out as a "type".
 */
const CLASS_NAME = /^(?:[A-Za-z_$][\w$]*(?:\.|::))*[A-Z][\w$]*$/;

/**
 * What a type read from a message must look like: a class name as above that also ends like an
 * exception class does (or is a bare `Error` / `Exception`), so `Note: …` or `HTTP 500: …` prose
 * is not taken for a type.
 */
const EXCEPTION_CLASS =
  /^(?:[A-Za-z_$][\w$]*(?:\.|::))*(?:[A-Z][\w$]*(?:Error|Exception|Warning|Fault|Failure|Interrupt|Exit)|Error|Exception|StopIteration)$/;

const NOT_IN_APP = () => false;

export function inferExceptionType(stack: string, message: string): string {
  const type = parseStacktrace(stack, NOT_IN_APP).exceptions[0]?.type ?? '';
  if (type.length <= MAX_TYPE_CHARS && CLASS_NAME.test(type)) return type;
  return typeFromMessage(message);
}

/** `KeyError: 'x'` → `KeyError`; '' when the message does not start with an exception class name. */
export function typeFromMessage(message: string): string {
  const text = message.trimStart();
  // `Foo::BarError: …`: a ':' followed by another belongs to the name.
  let end = text.indexOf(':');
  while (end >= 0 && text[end + 1] === ':') end = text.indexOf(':', end + 2);
  if (end <= 0 || end > MAX_TYPE_CHARS) return '';
  const candidate = text.slice(0, end);
  return EXCEPTION_CLASS.test(candidate) ? candidate : '';
}
