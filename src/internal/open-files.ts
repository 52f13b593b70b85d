// The process's open-files limit (its soft RLIMIT_NOFILE), read from /proc/self/limits on Linux;
// undefined elsewhere or when unlimited. main.ts compares it with what the listeners may hold.

import { readFileSync } from 'node:fs';

export function openFilesLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) ? soft : undefined;
  } catch {
    return undefined;
  }
}
