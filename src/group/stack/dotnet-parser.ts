// .NET (`Exception.ToString()`, what OpenTelemetry .NET records). The headers come first, the top
// exception then each inner one on a ` ---> ` line; then the frames of the innermost exception,
// `--- End of inner exception stack trace ---`, the frames of the next one out, and so on. Frames
// are printed innermost call first, so they are reversed; the exceptions come out top-level first.
//
//   System.InvalidOperationException: Order 42 could not be charged
//    ---> System.Net.Http.HttpRequestException: Connection refused
//      at Acme.Payments.Client.ChargeAsync(Int32 orderId) in /src/Payments/Client.cs:line 31
//      --- End of inner exception stack trace ---
//      at Acme.Orders.OrderService.CheckoutAsync(Int32 orderId) in /src/Orders/OrderService.cs:line 48
//
// .NET Framework also prints the inner exceptions on the header line itself (`Outer: msg --->
// Inner: msg`, a header may run over several lines), and Mono prints frames as
// `at Ns.Type.Method (Type a) [0x00000] in <filename unknown>:0`. An async state machine's frame
// (`Ns.Type.<Method>d__4.MoveNext`) is kept as printed; grouping reads it as `Ns.Type.Method`.

import {
  capMessage,
  lineNumber,
  MAX_EXCEPTIONS,
  MAX_FRAME_LINE_CHARS,
  splitTypeAndMessage,
  type RawException,
  type RawFrame,
} from './stack-trace.js';

const FRAME = /^\s*at ([^(]+?) ?\(([^()]*)\)(?: \[0x[0-9a-f]+\])?(?: in (.+?):(?:line )?(\d+))?\s*$/;
/** Where a header line hands over to its inner exception. */
const INNER = /(?:^|\s)---> /;
const END_OF_INNER = /^\s*--- End of inner exception stack trace ---\s*$/;

export function parseDotnet(lines: readonly string[]): RawException[] {
  const headerLines: string[] = [];
  const blocks: RawFrame[][] = [[]];
  let framesStarted = false;
  for (const line of lines) {
    if (line.length > MAX_FRAME_LINE_CHARS) continue;
    const frame = FRAME.exec(line);
    if (frame !== null) {
      framesStarted = true;
      blocks[blocks.length - 1]!.push(dotnetFrame(frame));
      continue;
    }
    if (END_OF_INNER.test(line)) {
      if (blocks.length < MAX_EXCEPTIONS) blocks.push([]);
      continue;
    }
    if (framesStarted || headerLines.length >= MAX_EXCEPTIONS * 4) continue;
    if (headerLines.length > 0 || line.trim() !== '') headerLines.push(line.trim());
  }
  const headers = headerLines
    .join('\n')
    .split(INNER)
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .slice(0, MAX_EXCEPTIONS)
    .map(header);
  if (headers.length === 0) headers.push({ type: '', message: '' });
  // Frames of more exceptions than headers said: the ones whose header was lost are untyped.
  while (headers.length < Math.min(blocks.length, MAX_EXCEPTIONS)) headers.push({ type: '', message: '' });
  // Block j holds the frames of header (headers.length - 1 - j): innermost exception first.
  return headers.map((h, i) => ({
    type: h.type,
    message: h.message,
    frames: [...(blocks[headers.length - 1 - i] ?? [])].reverse(),
  }));
}

/** `System.Net.Sockets.SocketException (111): Connection refused` → type without the code. */
function header(text: string): { type: string; message: string } {
  const { type, message } = splitTypeAndMessage(text);
  return { type: type.replace(/ \((?:-?\d+|0x[0-9A-Fa-f]+)\)$/, ''), message: capMessage(message) };
}

function dotnetFrame(match: RegExpExecArray): RawFrame {
  const name = match[1]!.trim();
  // `Ns.Type.Method`, `Ns.Type..ctor`, `Ns.Type`1.Find[T]`, `Ns.Dictionary`2[K,V].get_Item`.
  const split = /^(.*?)\.(\.c?ctor|[^.]+)$/.exec(name.replace(/\[[^\]]*\]$/, ''));
  return { function: split?.[2] ?? name, module: split?.[1] ?? '', file: match[3] ?? '', line: lineNumber(match[4]), column: 0 };
}
