// PHP's own format (`(string) $exception`, and the uncaught "Fatal error" text). The OpenTelemetry
// PHP SDK's Java-like format is read by the Java parser. Previous exceptions print first, the
// thrown one last after `Next`, so the exceptions are reversed. Each `#N file(line): function()`
// line says where `function` was called from: the frames are rebuilt so that each function carries
// its own location (the innermost one the `in file:line` of the header), then reversed.
//
//   Acme\Shop\OrderNotFound: Order 7 not found in /srv/shop/src/OrderRepository.php:10
//   Stack trace:
//   #0 /srv/shop/src/OrderRepository.php(16): Acme\Shop\OrderRepository->find()
//   #1 {main}
//
//   Next LogicException: cannot charge order 7 in /srv/shop/src/OrderRepository.php:18
//
// PHP 5 printed the header as `exception 'Exception' with message 'Custom exception' in file:line`.

import {
  capMessage,
  lineNumber,
  MAX_EXCEPTIONS,
  MAX_FRAME_LINE_CHARS,
  splitTypeAndMessage,
  type RawException,
  type RawFrame,
} from './stack-trace.js';

const HEADER = /^(?:PHP )?(?:(?:PHP )?Fatal error: +Uncaught |Next )?(.*) in (\S+):(\d+)$/;
const CALL = /^#\d+ (?:(.+)\((\d+)\)|\[internal function\]): (.+?)(?:\(.*\))?$/;
const MAIN = /^#\d+ \{main\}$/;
const PHP5_HEADER = /^exception '([^']+)' with message '(.*)'$/s;

interface Pending {
  type: string;
  message: string;
  throwFile: string;
  throwLine: number;
  calls: { file: string; line: number; fn: string }[];
}

export function parsePhp(lines: readonly string[]): RawException[] {
  const pending: Pending[] = [];
  for (const line of lines) {
    if (line.length > MAX_FRAME_LINE_CHARS) continue;
    const call = CALL.exec(line);
    if (call !== null) {
      pending[pending.length - 1]?.calls.push({ file: call[1] ?? '[internal function]', line: lineNumber(call[2]), fn: call[3]! });
      continue;
    }
    if (MAIN.test(line)) {
      pending[pending.length - 1]?.calls.push({ file: '', line: 0, fn: '{main}' });
      continue;
    }
    const header = HEADER.exec(line.trim());
    if (header !== null && !line.trimStart().startsWith('thrown in') && pending.length < MAX_EXCEPTIONS) {
      const { type, message } = typeAndMessage(header[1]!);
      pending.push({ type, message, throwFile: header[2]!, throwLine: lineNumber(header[3]), calls: [] });
    }
  }
  return pending.reverse().map((p) => ({ type: p.type, message: p.message, frames: framesOf(p) }));
}

function typeAndMessage(text: string): { type: string; message: string } {
  const php5 = PHP5_HEADER.exec(text);
  return php5 === null ? splitTypeAndMessage(text) : { type: php5[1]!, message: capMessage(php5[2]!) };
}

/** Each function with its own location, outermost first. */
function framesOf(p: Pending): RawFrame[] {
  const frames: RawFrame[] = [];
  let file = p.throwFile;
  let line = p.throwLine;
  for (const call of p.calls) {
    frames.push({ function: call.fn, module: file, file: '', line, column: 0 });
    file = call.file;
    line = call.line;
  }
  if (p.calls.length === 0) frames.push({ function: '', module: file, file: '', line, column: 0 });
  return frames.reverse();
}
