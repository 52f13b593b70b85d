// Go-style durations (`100ms`, `5s`, `1m30s`) and byte sizes (`4194304`, `4MiB`, `512KiB`), as the
// OpenTelemetry Collector writes them. Both return null on bad input; the schema turns that into a
// problem at the key's path.

const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/**
 * Milliseconds for a duration like `1m30s`, or null. A bare number has no unit and is rejected,
 * except `0`, which is zero in any unit (Go's time.ParseDuration, and so the Collector, reads it so).
 */
export function parseDuration(text: string): number | null {
  if (text === '0') return 0;
  if (text.length === 0) return null;
  let ms = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const match = DURATION_PART.exec(text);
    if (match === null) return null;
    ms += Number(match[1]) * DURATION_UNIT_MS[match[2]];
  }
  return ms;
}

const SIZE_UNIT_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)$/;

/** Bytes for an integer or a size like `4MiB`, or null. Fractions of a byte are rounded down. */
export function parseSize(value: number | string): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  const match = SIZE.exec(value.trim());
  if (match === null) return null;
  const bytes = Math.floor(Number(match[1]) * SIZE_UNIT_BYTES[match[2]]);
  return Number.isSafeInteger(bytes) ? bytes : null;
}
