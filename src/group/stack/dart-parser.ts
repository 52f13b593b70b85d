// Dart and Flutter (`StackTrace.toString()` of the Dart VM, what Flutter prints and reports).
// Printed innermost call first, so frames are reversed; `<asynchronous suspension>` lines between
// frames are skipped. The message comes before the frames, after an optional `Unhandled exception:`.
//
//   Unhandled exception:
//   Exception: exception message                       ← `Type: message`, `Instance of 'MyError'`
//   #0      main.<anonymous closure> (file:///app/bin/main.dart:17:20)
//   #1      _startIsolate.<anonymous closure> (dart:isolate-patch/isolate_patch.dart:265)

import {
  ExceptionBuilder,
  lineNumber,
  MAX_FRAME_LINE_CHARS,
  splitTypeAndMessage,
  type RawException,
} from './stack-trace.js';

const FRAME = /^#\d+\s+(.+?) \((\S+?):(\d+)(?::(\d+))?\)$/;
/** A frame whose location the VM did not know: `#3 fn (dart:async/zone.dart)`. */
const FRAME_WITHOUT_LINE = /^#\d+\s+(.+?) \(([^()\s]+)\)$/;
const INSTANCE_OF = /^Instance of '([\w$<>, ]+)'$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export function parseDart(lines: readonly string[]): RawException[] {
  const builder = new ExceptionBuilder();
  let headerDone = false;
  for (const line of lines) {
    if (line.length > MAX_FRAME_LINE_CHARS) continue;
    const frame = FRAME.exec(line) ?? FRAME_WITHOUT_LINE.exec(line);
    if (frame !== null) {
      if (builder.exceptions.length === 0) builder.start('', '');
      headerDone = true;
      builder.frame({ function: frame[1]!, module: frame[2]!, file: '', line: lineNumber(frame[3]), column: lineNumber(frame[4]) });
      continue;
    }
    const text = line.trim();
    if (headerDone || text === '' || text === 'Unhandled exception:' || builder.exceptions.length > 0) continue;
    const instance = INSTANCE_OF.exec(text);
    if (instance !== null) {
      builder.start(instance[1]!, text);
      continue;
    }
    const { type, message } = splitTypeAndMessage(text);
    // `Bad state: oops` (a StateError) names no type: the whole line is the message.
    if (IDENTIFIER.test(type)) builder.start(type, message);
    else builder.start('', text);
  }
  return builder.innermostFirstDone();
}
