// Times and numbers as the web UI shows them: relative times ("3 min ago") with the full time in
// the viewer's own zone for a hover, counts with separators.

const UNITS: readonly [number, string][] = [
  [60, 's'],
  [60, 'min'],
  [24, 'h'],
  [30, 'd'],
  [12, 'mo'],
  [Number.POSITIVE_INFINITY, 'y'],
];

/** "3 min ago", "in 2 h" (a clock ahead of the viewer's), "just now". */
export function relativeTime(iso: string, nowMs = Date.now()): string {
  let value = Math.round((nowMs - Date.parse(iso)) / 1000);
  const future = value < 0;
  value = Math.abs(value);
  if (value < 5) return 'just now';
  for (const [size, unit] of UNITS) {
    if (value < size) return future ? `in ${value} ${unit}` : `${value} ${unit} ago`;
    value = Math.floor(value / size);
  }
  return iso;
}

/** The full time in the viewer's zone, e.g. "30 Nov 2026, 14:03:07 CET". */
export function fullTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long' });
}

export function count(value: number): string {
  return value.toLocaleString();
}

/** Seconds as "5 min", "2 h", "90 s". */
export function duration(seconds: number): string {
  if (seconds % 3600 === 0 && seconds >= 3600) return `${seconds / 3600} h`;
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} min`;
  return `${seconds} s`;
}

export function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let index = 0;
  while (value >= 1024 && index < units.length - 1) (value /= 1024), index++;
  return `${value.toFixed(index === 0 ? 0 : 1)} ${units[index]}`;
}
