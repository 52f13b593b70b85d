// Ruby (`Exception#full_message(highlight: false, order: :top)`, what OpenTelemetry Ruby records).
// The first line is the innermost call with the message and the type in parentheses; `from` lines
// follow, innermost first, so frames are reversed. Each cause follows as another such block.
//
//   /app/models/order.rb:5:in `find': Order 42 not found (Order::NotFound)
//   	from /app/controllers/orders_controller.rb:9:in `show'
//
// Ruby 3.4 quotes as 'Order.find' instead of `find'; both are read. Also the Rails logger's form:
// a `Type (message):` header, then indented frames without `from`, a gem's frames prefixed by its
// name and version (`actionpack (5.1.4) lib/…`; the prefix is kept as `file`, which marks them
// library code).
//
//    ActionController::RoutingError (No route matches [GET] "/settings"):
//      app/controllers/books_controller.rb:69:in `recursivewordload'
//      actionpack (5.1.4) lib/action_dispatch/middleware/debug_exceptions.rb:63:in `call'

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
const RAILS_HEADER = /^\s*([A-Z][\w:]*) \((.*)\):$/;
const RAILS_FRAME = /^\s+((?:[\w.-]+ \([\w.]+\) )?)(\S.*?):(\d+):in [`']([^']*)'$/;

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
    const rails = RAILS_FRAME.exec(line);
    if (rails !== null) {
      const gem = rails[1]!;
      builder.frame({ function: rails[4]!, module: rails[2]!, file: gem === '' ? '' : `${gem}${rails[2]!}`, line: lineNumber(rails[3]), column: 0 });
      awaitingType = false;
      continue;
    }
    const railsHeader = builder.exceptions.length === 0 ? RAILS_HEADER.exec(line) : null;
    if (railsHeader !== null) {
      builder.start(railsHeader[1]!, railsHeader[2]!);
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
