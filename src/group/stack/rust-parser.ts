// Rust panics with RUST_BACKTRACE=1 (or full). Printed innermost call first, so frames are
// reversed. Both panic headers are read: Rust ≥ 1.73 puts the message on the next line, older
// ones quote it. Symbol hashes (`::h1a2b3c4d5e6f7a8b`) are dropped.
//
//   thread 'main' panicked at src/main.rs:5:5:
//   called `Option::unwrap()` on a `None` value
//   stack backtrace:
//      0: rust_begin_unwind
//                at /rustc/90b35a62…/library/std/src/panicking.rs:665:5
//      4: shop::orders::reserve
//                at ./src/orders.rs:12:9

import { ExceptionBuilder, lineNumber, MAX_FRAME_LINE_CHARS, type RawException } from './stack-trace.js';

const PANIC_NEW = /^thread '[^']*' panicked at (\S+?):\d+:\d+:$/;
const PANIC_OLD = /^thread '[^']*' panicked at '(.*)', \S+:\d+(?::\d+)?$/;
const FRAME = /^\s*\d+:\s+(?:0x[0-9a-f]+ - )?(.+?)\s*$/;
const LOCATION = /^\s+at (.+?):(\d+)(?::(\d+))?\s*$/;
const HASH = /::h[0-9a-f]{16}$/;

export function parseRust(lines: readonly string[]): RawException[] {
  const builder = new ExceptionBuilder();
  let awaitingMessage = false;
  let inBacktrace = false;
  for (const line of lines) {
    if (line.length > MAX_FRAME_LINE_CHARS) continue;
    if (awaitingMessage) {
      builder.current()!.message = line.trim();
      awaitingMessage = false;
      continue;
    }
    if (builder.exceptions.length === 0) {
      const old = PANIC_OLD.exec(line);
      if (old !== null) builder.start('panic', old[1]!);
      else if (PANIC_NEW.test(line)) {
        builder.start('panic', '');
        awaitingMessage = true;
      }
      if (builder.exceptions.length > 0) continue;
    }
    if (/^stack backtrace:$/.test(line.trim())) {
      inBacktrace = true;
      continue;
    }
    if (!inBacktrace) continue;
    const location = LOCATION.exec(line);
    const current = builder.current();
    if (location !== null && current !== undefined && current.frames.length > 0) {
      const last = current.frames[current.frames.length - 1]!;
      current.frames[current.frames.length - 1] = { ...last, file: location[1]!, line: lineNumber(location[2]), column: lineNumber(location[3]) };
      continue;
    }
    const frame = FRAME.exec(line);
    if (frame === null) continue;
    const symbol = frame[1]!.replace(HASH, '');
    const split = symbol.lastIndexOf('::');
    builder.frame({
      function: split < 0 ? symbol : symbol.slice(split + 2),
      module: split < 0 ? '' : symbol.slice(0, split),
      file: '',
      line: 0,
      column: 0,
    });
  }
  return builder.innermostFirstDone();
}
