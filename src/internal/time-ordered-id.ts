// Ids that begin with a time, as a UUIDv7 does: 12 hex digits of Unix milliseconds. Ids made so
// sort by time, and an index over them grows at its end, where a random id takes a page of the
// index at random for every row (bench/README.md, "Event ids that start with their time").

/** The largest time 12 hex digits hold (the year 10889). */
const PREFIX_MAX_MS = 0xffff_ffff_ffff;

/** 12 hex digits of `ms`; times before 1970 (or not finite) as 0, past the year 10889 as the largest. */
export function idTimePrefix(ms: number): string {
  const clamped = Number.isFinite(ms) ? Math.min(Math.max(Math.trunc(ms), 0), PREFIX_MAX_MS) : 0;
  return clamped.toString(16).padStart(12, '0');
}
