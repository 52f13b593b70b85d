// Lowers the priority of the calling thread (a worker's), so that when cores are short the event
// loop (health probes, replies, the queue's consumers) runs first and the worker takes the rest.
// Linux applies setpriority() to one thread given its id, which /proc/thread-self names; elsewhere,
// or where it is not allowed, the thread keeps the process's priority.

import { readlinkSync } from 'node:fs';
import os from 'node:os';

/** The nice value workers run at: below the event loop, above batch jobs at nice 19. */
export const WORKER_NICE = 10;

export function lowerThreadPriority(nice = WORKER_NICE): void {
  try {
    // /proc/thread-self links to /proc/<pid>/task/<thread id>.
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(threadId) && threadId > 0) os.setPriority(threadId, nice);
  } catch {
    // Not Linux, or not allowed: the thread runs at the process's priority.
  }
}
