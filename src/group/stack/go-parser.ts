// Go: panic output and goroutine dumps (runtime/debug.Stack(), which OpenTelemetry Go records with
// trace.WithStackTrace(true)). Printed innermost call first, each call as two lines, so frames are
// reversed. Only the first goroutine is read: the one that panicked (or called debug.Stack()).
//
//   panic: assignment to entry in nil map               ← `panic: ` message (absent for Stack())
//
//   goroutine 1 [running]:
//   github.com/acme/shop/internal/orders.(*Store).Reserve(...)   ← package path . function (args)
//   	/srv/shop/internal/orders/orders.go:8 +0x1d                 ← file:line +pc offset
//   created by main.handle in goroutine 1                        ← the spawning call: outermost
//
// Also read: `fp=0x… sp=0x… pc=0x…` after the location (GOTRACEBACK=system/crash), locations of
// any file (`asm_amd64.s`, cgo's `??:0`, `proc.c`) indented by spaces as well as a tab, a goroutine
// whose stack is unavailable, and `...additional frames elided...`.

import { ExceptionBuilder, lineNumber, MAX_FRAME_LINE_CHARS, type RawException } from './stack-trace.js';

const PANIC = /^panic: (.*?)(?: \[recovered\])?$/;
const GOROUTINE = /^goroutine \d+ \[[^\]]*\]:$/;
const CALL = /^(?:created by )?(\S.*?)(?: in goroutine \d+)?$/;
const LOCATION = /^\s+(\S.*?):(\d+)(?: \+0x[0-9a-f]+)?(?: fp=0x[0-9a-f]+ sp=0x[0-9a-f]+(?: pc=0x[0-9a-f]+)?)?\s*$/;
const UNAVAILABLE = /^\s+goroutine running on other thread; stack unavailable$/;
const ELIDED = /^\.\.\.additional frames elided\.\.\.$/;

export function parseGo(lines: readonly string[]): RawException[] {
  const builder = new ExceptionBuilder();
  let inGoroutine = false;
  let pendingCall: { fn: string; module: string } | null = null;
  for (const line of lines) {
    if (line.length > MAX_FRAME_LINE_CHARS) continue;
    if (!inGoroutine) {
      const panic = PANIC.exec(line);
      if (panic !== null && builder.exceptions.length === 0) builder.start('panic', panic[1]!);
      if (GOROUTINE.test(line)) {
        inGoroutine = true;
        if (builder.exceptions.length === 0) builder.start('', '');
      }
      continue;
    }
    if (line.trim() === '') {
      if (builder.current()!.frames.length > 0) break; // the end of the first goroutine
      continue;
    }
    if (UNAVAILABLE.test(line)) {
      builder.frame({ function: '', module: '', file: '<unavailable>', line: 0, column: 0 });
      continue;
    }
    if (ELIDED.test(line)) continue;
    const location = /^\s/.test(line) ? LOCATION.exec(line) : null;
    if (location !== null) {
      if (pendingCall !== null) {
        builder.frame({ function: pendingCall.fn, module: pendingCall.module, file: location[1]!, line: lineNumber(location[2]), column: 0 });
      }
      pendingCall = null;
      continue;
    }
    const call = CALL.exec(line);
    pendingCall = call === null ? null : splitQualified(withoutArguments(call[1]!));
  }
  return builder.innermostFirstDone();
}

/** `pkg.(*T).Method(0x1, {0x2, 0x3})` → `pkg.(*T).Method`: arguments never hold parentheses. */
function withoutArguments(call: string): string {
  if (!call.endsWith(')')) return call;
  const open = call.lastIndexOf('(');
  return open > 0 ? call.slice(0, open) : call;
}

/** `github.com/acme/shop/internal/orders.(*Store).Reserve` → package path and function. */
function splitQualified(qualified: string): { fn: string; module: string } {
  const slash = qualified.lastIndexOf('/');
  const dot = qualified.indexOf('.', slash + 1);
  if (dot < 0) return { fn: qualified, module: '' };
  return { fn: qualified.slice(dot + 1), module: qualified.slice(0, dot) };
}
