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

import {
  capMessage,
  lineNumber,
  MAX_EXCEPTIONS,
  MAX_FRAME_LINE_CHARS,
  splitTypeAndMessage,
  type RawException,
  type RawFrame,
} from './stack-trace.js';

const FRAME = /^\s*at ([^(]+?)(?:\[[^\]]*\])?\((.*)\)(?: in (.+):line (\d+))?\s*$/;
const INNER = /^\s*---> (.*)$/;
const END_OF_INNER = /^\s*--- End of inner exception stack trace ---\s*$/;
/** `Acme.Orders.OrderService.<CheckoutAsync>d__4.MoveNext`: an async state machine. */
const STATE_MACHINE = /^(.*)\.<([^>]+)>d__\d+\.MoveNext$/;

export function parseDotnet(lines: readonly string[]): RawException[] {
  const headers: { type: string; message: string }[] = [];
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
    if (framesStarted || headers.length >= MAX_EXCEPTIONS) continue;
    const inner = INNER.exec(line);
    if (inner !== null) headers.push(header(inner[1]!));
    else if (headers.length === 0 && line.trim() !== '') headers.push(header(line.trim()));
  }
  if (headers.length === 0) headers.push({ type: '', message: '' });
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
  return { type: type.replace(/ \(-?\d+\)$/, ''), message: capMessage(message) };
}

function dotnetFrame(match: RegExpExecArray): RawFrame {
  let name = match[1]!.trim();
  const stateMachine = STATE_MACHINE.exec(name);
  let module: string;
  let fn: string;
  if (stateMachine !== null) {
    module = stateMachine[1]!;
    fn = stateMachine[2]!;
  } else {
    // `Ns.Type.Method`, `Ns.Type..ctor`, `Ns.Type`1.Find[T]`.
    const split = /^(.*?)\.(\.c?ctor|[^.]+)$/.exec(name.replace(/\[[^\]]*\]$/, ''));
    module = split?.[1] ?? '';
    fn = split?.[2] ?? name;
  }
  return { function: fn, module, file: match[3] ?? '', line: lineNumber(match[4]), column: 0 };
}
