// The exception type of an error that did not say: a report without `error.type` (seed-style
// clients post `{ message, stack }` and would otherwise all be `Error`), and a log record with
// neither `exception.type` nor `error.type` nor a stack (a logged `ValueError: invalid literal …`).
//   1. the stack trace (reports only), read by the group stage's own per-language parsers (one
//      reading of each format, not a second one here): their chain puts the top-level exception
//      first, so this is the last exception line of a Python traceback, the header of a Java trace
//      above its `Caused by:` chain, the header line of a JavaScript stack;
//   2. else the message's first line `Type: rest`, when Type is a class name that looks like an
//      exception's (typeFromMessage); the message is then the rest.
// The type is '' when neither says; the caller then keeps its default (`Error`). Cheap on a log
// record: one indexOf and one short regex, and only for records without a type and a stack.

import { parseStacktrace } from '../group/stack/parse-stacktrace.js';

/** Longer inferred names are not taken: a type is a label value, not a sentence. */
const MAX_TYPE_CHARS = 200;

/**
 * What a type read from a stack must look like: a class name, qualified with `.` or `::` or not,
 * its last part capitalised. Parsers take a header apart by shape, so a log prefix (`Jul 09, 2015
 * 3:23:29 PM …`), PHP's `exception 'E' with message …` or Go's `panic` can come out as a "type".
 */
const CLASS_NAME = /^(?:[A-Za-z_$][\w$]*(?:\.|::))*[A-Z][\w$]*$/;

/**
 * A type read from a message either ends like an exception class does (or is a bare `Error` /
 * `Exception`), dotted or not: `KeyError`, `java.lang.IllegalStateException` — so prose (`Note:`,
 * `Warning:`, `HTTP 500:`) and Java logger names (`com.acme.OrderService: …`) are not taken;
 */
const EXCEPTION_CLASS =
  /^(?:[A-Za-z_$][\w$]*(?:\.|::|\\))*(?:[A-Z][\w$]*(?:Error|Exception|Warning|Fault|Failure|Interrupt|Exit)|Error|Exception|StopIteration)$/;
/**
 * or is namespaced with `::` (Ruby) or `\` (PHP), its last part capitalised, which prose and log
 * prefixes never are: `ActiveRecord::RecordNotFound`, `Errno::ENOENT`, `Acme\Shop\OrderNotFound`.
 */
const NAMESPACED_CLASS = /^\\?(?:[A-Za-z_][\w]*(?:::|\\))+[A-Z]\w*$/;

const NOT_IN_APP = () => false;

export interface InferredType {
  /** '' when nothing names a type. */
  readonly type: string;
  /** The message, without its `Type: ` head when the type was read from there. */
  readonly message: string;
}

/** A report's type from its stack, else from its message's first line. */
export function inferExceptionType(stack: string, message: string): InferredType {
  const type = stack === '' ? '' : (parseStacktrace(stack, NOT_IN_APP).exceptions[0]?.type ?? '');
  if (type.length <= MAX_TYPE_CHARS && CLASS_NAME.test(type)) return { type, message };
  return typeFromMessage(message);
}

/**
 * `ValueError: invalid literal …` → type `ValueError`, message `invalid literal …`; the type is ''
 * (and the message kept whole) when the first line does not start with an exception class name
 * followed by `: ` (or by `:` ending the line).
 */
export function typeFromMessage(message: string): InferredType {
  const text = message.trimStart();
  // `Foo::BarError: …`: a ':' followed by another belongs to the name.
  let end = text.indexOf(':');
  while (end >= 0 && text[end + 1] === ':') end = text.indexOf(':', end + 2);
  if (end <= 0 || end > MAX_TYPE_CHARS) return { type: '', message };
  const after = text[end + 1];
  if (after !== undefined && after !== ' ' && after !== '\n' && after !== '\r') return { type: '', message };
  const candidate = text.slice(0, end);
  if (!EXCEPTION_CLASS.test(candidate) && !NAMESPACED_CLASS.test(candidate)) return { type: '', message };
  return { type: candidate, message: text.slice(end + 1).replace(/^(?: |\r?\n)/, '') };
}
