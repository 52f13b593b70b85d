// The floor: the least work any decoder must do. It walks every protobuf tag on the path
// request → resource_spans → scope_spans → spans → events, skips every other field by its length
// without allocating, and compares event names with "exception" byte by byte. It counts spans
// (or log records) and exception events; it builds no strings, objects or ids. Checks are the
// minimum to stay in bounds, not the full validation Faultline does.

const EXCEPTION = Buffer.from('exception');

export interface ScanCount {
  items: number;
  exceptions: number;
}

let pos = 0;

function varint(bytes: Uint8Array): number {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++]!;
    if (shift < 28) value |= (b & 0x7f) << shift;
    else value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return value;
    shift += 7;
    if (shift > 63) throw new Error('bad varint');
  }
}

function skip(bytes: Uint8Array, wireType: number): void {
  switch (wireType) {
    case 0:
      while (bytes[pos++]! >= 0x80);
      return;
    case 1:
      pos += 8;
      return;
    case 2: {
      const length = varint(bytes);
      pos += length;
      return;
    }
    case 5:
      pos += 4;
      return;
    default:
      throw new Error(`wire type ${wireType}`);
  }
}

/**
 * Walks `end` bytes of a message; for a length-delimited field whose number is `descend`,
 * calls `inner(end)` for its contents. Everything else is skipped.
 */
function walk(bytes: Uint8Array, end: number, descend: number, inner: (end: number) => void): void {
  while (pos < end) {
    const tag = varint(bytes);
    if (tag >>> 3 === descend && (tag & 7) === 2) {
      const length = varint(bytes);
      const innerEnd = pos + length;
      if (innerEnd > end) throw new Error('length past end');
      inner(innerEnd);
      pos = innerEnd;
    } else skip(bytes, tag & 7);
  }
  if (pos !== end) throw new Error('field past end');
}

function isException(bytes: Uint8Array, start: number, length: number): boolean {
  if (length !== EXCEPTION.length) return false;
  for (let i = 0; i < length; i++) if (bytes[start + i] !== EXCEPTION[i]) return false;
  return true;
}

/** Scans an ExportTraceServiceRequest. */
export function scanTraces(bytes: Uint8Array, count: ScanCount): void {
  pos = 0;
  const onEvent = (end: number) => {
    while (pos < end) {
      const tag = varint(bytes);
      if (tag === ((2 << 3) | 2)) {
        const length = varint(bytes);
        if (isException(bytes, pos, length)) count.exceptions++;
        pos += length;
      } else skip(bytes, tag & 7);
    }
  };
  const onSpan = (end: number) => {
    count.items++;
    walk(bytes, end, 11, onEvent);
  };
  const onScope = (end: number) => walk(bytes, end, 2, onSpan);
  const onResource = (end: number) => walk(bytes, end, 2, onScope);
  walk(bytes, bytes.length, 1, onResource);
}

/** Scans an ExportLogsServiceRequest: counts records and those carrying an `exception.*` key. */
export function scanLogs(bytes: Uint8Array, count: ScanCount): void {
  pos = 0;
  const onKeyValue = (end: number) => {
    while (pos < end) {
      const tag = varint(bytes);
      if (tag === ((1 << 3) | 2)) {
        const length = varint(bytes);
        if (length > 10 && bytes[pos] === 0x65 /* e */ && bytes[pos + 9] === 0x2e /* . */) count.exceptions++;
        pos += length;
      } else skip(bytes, tag & 7);
    }
  };
  const onRecord = (end: number) => {
    count.items++;
    walk(bytes, end, 6, onKeyValue);
  };
  const onScope = (end: number) => walk(bytes, end, 2, onRecord);
  const onResource = (end: number) => walk(bytes, end, 2, onScope);
  walk(bytes, bytes.length, 1, onResource);
}
