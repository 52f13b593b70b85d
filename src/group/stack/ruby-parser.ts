// Ruby (`Exception#full_message(highlight: false, order: :top)`, what OpenTelemetry Ruby records).
// The first line is the innermost call with the message and the type in parentheses; `from` lines
// follow, innermost first, so frames are reversed. Each cause follows as another such block.
//
//   /app/models/order.rb:5:in `find': Order 42 not found (Order::NotFound)
//   	from /app/controllers/orders_controller.rb:9:in `show'
//
// Ruby 3.4 quotes as 'Order.find' instead of `find'; both are read.

import {
  ExceptionBuilder,
  lineNumber,
  MAX_FRAME_LINE_CHARS,
  type RawException,
  type RawFrame,
} from './stack-trace.js';

const HEADER = /^(\S.*?):(\d+):in [`']([^']*)'(?:: (.*))?$/;
const FROM = /^\s+from (.+?):(\d+)(?::in [`']([^']*)')?$/;
const TYPE_AT_END = /^(.*?)\s*\(([A-Z][\w:]*)\)$/;

export function parseRuby(lines: readonly string[]): RawException[] {
  const builder = new ExceptionBuilder();
  let awaitingType = false;
  for (const line of lines) {
    if (line.length > MAX_FRAME_LINE_CHARS) continue;
    const from = FROM.exec(line);
    if (from !== null) {
      builder.frame(rubyFrame(from[1]!, from[2], from[3]));
      awaitingType = false;
      continue;
    }
    const header = HEADER.exec(line);
    if (header !== null) {
      const typed = TYPE_AT_END.exec(header[4] ?? '');
      builder.start(typed?.[2] ?? '', typed?.[1] ?? header[4] ?? '');
      builder.frame(rubyFrame(header[1]!, header[2], header[3]));
      awaitingType = typed === null;
      continue;
    }
    if (awaitingType) {
      // A message over several lines ends with `(Type)` on its last line.
      const typed = TYPE_AT_END.exec(line.trim());
      if (typed !== null) {
        builder.current()!.type = typed[2]!;
        awaitingType = false;
      }
    }
  }
  return builder.innermostFirstDone();
}

function rubyFrame(file: string, line: string | undefined, fn: string | undefined): RawFrame {
  return { function: fn ?? '', module: file, file: '', line: lineNumber(line), column: 0 };
}
