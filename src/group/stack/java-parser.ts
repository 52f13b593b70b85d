// Java, Kotlin and Scala (`Throwable.printStackTrace`), and the Java-like format of the
// OpenTelemetry PHP SDK. Printed innermost call first, so frames are reversed.
//
//   com.acme.PaymentException: charge failed          ← top-level exception
//   	at com.acme.Orders.charge(Orders.java:29)       ← innermost call
//   	at java.base/java.lang.Thread.run(Thread.java:840)
//   Caused by: java.lang.IllegalStateException: …     ← its cause (printed after it)
//   	... 2 more                                      ← frames shared with the enclosing trace: skipped
//   	Suppressed: …                                   ← suppressed exceptions: skipped with their frames

import {
  ExceptionBuilder,
  lineNumber,
  MAX_FRAME_LINE_CHARS,
  splitTypeAndMessage,
  type RawException,
  type RawFrame,
} from './stack-trace.js';

/** `at [module/]pkg.Class.method(File.java:12)`, with logback's optional `~[jar:version]`. */
const FRAME = /^\s*at\s+([^\s(]+)\(([^()]*)\)(?:\s+~?\[[^\]]*\])?\s*$/;
const CAUSED_BY = /^(\s*)Caused by:\s*(.*)$/;
const SUPPRESSED = /^(\s*)Suppressed:\s*(.*)$/;
/** `java.base/`, `java.base@17.0.1/`, `app//`: the JPMS module or class loader prefix. */
const MODULE_PREFIX = /^[\w.@-]*\/\/?/;
const THREAD_PREFIX = /^Exception in thread "[^"]*"\s+/;

export function parseJava(lines: readonly string[]): RawException[] {
  const builder = new ExceptionBuilder();
  let suppressedIndent = -1;
  let started = false;
  for (const line of lines) {
    if (line.length > MAX_FRAME_LINE_CHARS && started) continue;
    const indent = line.length - line.trimStart().length;
    if (suppressedIndent >= 0) {
      // Inside a suppressed exception: its frames and causes are indented deeper than it is.
      const suppressed = SUPPRESSED.exec(line);
      if (indent > suppressedIndent || (suppressed !== null && indent === suppressedIndent)) continue;
      suppressedIndent = -1;
    }
    const frame = FRAME.exec(line);
    if (frame !== null) {
      builder.frame(javaFrame(frame[1]!, frame[2]!));
      started = true;
      continue;
    }
    const causedBy = CAUSED_BY.exec(line);
    if (causedBy !== null) {
      const { type, message } = splitTypeAndMessage(causedBy[2]!);
      builder.start(type, message);
      started = true;
      continue;
    }
    const suppressed = SUPPRESSED.exec(line);
    if (suppressed !== null) {
      suppressedIndent = suppressed[1]!.length;
      continue;
    }
    if (!started && line.trim() !== '') {
      // The header: `pkg.Type: message`, before any frame.
      const { type, message } = splitTypeAndMessage(line.replace(THREAD_PREFIX, '').trim());
      builder.start(type, message);
      started = true;
    }
    // Anything else (`... N more`, message continuation lines, a partial last line) is skipped.
  }
  return builder.innermostFirstDone();
}

function javaFrame(qualified: string, location: string): RawFrame {
  const name = qualified.replace(MODULE_PREFIX, '');
  const dot = name.lastIndexOf('.');
  const module = dot > 0 ? name.slice(0, dot) : '';
  const fn = dot > 0 ? name.slice(dot + 1) : name;
  const colon = location.lastIndexOf(':');
  const hasLine = colon > 0 && /^\d+$/.test(location.slice(colon + 1));
  const file = hasLine ? location.slice(0, colon) : location === 'Native Method' || location === 'Unknown Source' ? '' : location;
  return { function: fn, module, file, line: hasLine ? lineNumber(location.slice(colon + 1)) : 0, column: 0 };
}
