// Python tracebacks (`traceback.format_exception`, what the OpenTelemetry Python SDK records).
// Printed outermost call first, so frames keep their order; but a chain is printed oldest first:
// the exception being handled or the direct cause, then "During handling of the above exception,
// another exception occurred:" / "The above exception was the direct cause of the following
// exception:", then the one raised. The exceptions are reversed so the raised one comes first.
// Exception groups (3.11+) print with `|` and `+-` margins, which are stripped; their members
// follow the group.

import {
  lineNumber,
  MAX_EXCEPTIONS,
  MAX_FRAME_LINE_CHARS,
  splitTypeAndMessage,
  type RawException,
  type RawFrame,
} from './stack-trace.js';

const TRACEBACK = /^Traceback \(most recent call last\):$|^Exception Group Traceback \(most recent call last\):$/;
const FRAME = /^\s*File "([^"]*)", line (\d+)(?:, in (.+))?$/;
const CHAIN =
  /^(?:During handling of the above exception, another exception occurred|The above exception was the direct cause of the following exception):$/;
/** `shop.users.UserNotFound: message` or a bare `KeyError`: a dotted identifier at the margin. */
const EXCEPTION_LINE = /^([A-Za-z_][\w.]*)(?::(?: (.*))?)?$/;
/** Exception-group margins: `  | ` before content, `  + ` before the group's header, rules. */
const GROUP_RULE = /^\s*\+[-+]*(?:\s*(?:\d+|\.\.\.)\s*-*)?\s*$/;
const GROUP_MARGIN = /^\s*\| ?/;
const GROUP_HEADER_MARGIN = /^\s*\+ (?=Exception Group Traceback)/;

export function parsePython(lines: readonly string[]): RawException[] {
  // Segments are separated by chain lines; each holds the exceptions printed between them.
  const segments: { type: string; message: string; frames: RawFrame[] }[][] = [[]];
  let pendingFrames: RawFrame[] = [];
  let count = 0;
  // An exception line comes first, after frames, or after a group's rule; not as a message's 2nd line.
  let expecting = true;
  const grouped = lines.some((line) => line.includes('Exception Group Traceback'));
  for (const raw of lines) {
    if (raw.length > MAX_FRAME_LINE_CHARS) continue;
    const line = grouped ? withoutGroupMargins(raw) : raw;
    if (line === null) {
      expecting = true;
      continue;
    }
    const frame = FRAME.exec(line);
    if (frame !== null) {
      const fn = frame[3] ?? '';
      pendingFrames.push({ function: fn, module: frame[1]!, file: '', line: lineNumber(frame[2]), column: 0 });
      expecting = true;
      continue;
    }
    if (TRACEBACK.test(line.trim())) {
      expecting = true;
      continue;
    }
    if (CHAIN.test(line.trim())) {
      segments.push([]);
      pendingFrames = [];
      expecting = true;
      continue;
    }
    if (expecting && line.length > 0 && line[0] !== ' ' && line[0] !== '\t') {
      const exception = EXCEPTION_LINE.test(line.split(': ', 1)[0]!) ? splitTypeAndMessage(line) : null;
      if (exception !== null && count < MAX_EXCEPTIONS) {
        segments[segments.length - 1]!.push({ ...exception, frames: pendingFrames });
        pendingFrames = [];
        count++;
        expecting = false;
      }
    }
    // Indented source lines, `~~^^` markers and `[Previous line repeated N more times]` are skipped.
  }
  // A trace cut before its exception line still has frames: keep them as an untyped exception.
  if (pendingFrames.length > 0 && count < MAX_EXCEPTIONS) segments[segments.length - 1]!.push({ type: '', message: '', frames: pendingFrames });
  return segments.reverse().flat();
}

/** The line without exception-group margins; null for a rule line between members. */
function withoutGroupMargins(raw: string): string | null {
  let line = raw;
  while (GROUP_MARGIN.test(line)) line = line.replace(GROUP_MARGIN, '');
  if (GROUP_RULE.test(line)) return null;
  return line.replace(GROUP_HEADER_MARGIN, '');
}
