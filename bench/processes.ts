// What the benches that start a Faultline process share: a free loopback port to give it, its
// memory and I/O read from /proc, and a stop that asks politely before it forces; and for the
// in-process benches, the loop thread's time on a core and waiting for one, from /proc too.

import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import net from 'node:net';

/** A loopback port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A memory line of /proc/<pid>/status (VmRSS now, VmHWM the peak), in MiB; NaN when absent. */
export function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Bytes and calls of read and write so far (all of them: files, sockets; Linux's /proc/<pid>/io, every thread); undefined where there is none. */
export interface IoCounters {
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly reads: number;
  readonly writes: number;
}

export function ioCounters(pid: number): IoCounters | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/io`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { readBytes: field('rchar'), writeBytes: field('wchar'), reads: field('syscr'), writes: field('syscw') };
}

/** SIGTERM, then SIGKILL if it has not exited within 15 s; resolves once it has exited. */
export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Reads the calling thread's time on a core and waiting for one, in ns, from
 * /proc/thread-self/schedstat (Linux; read() gives undefined elsewhere): one pread of a file kept
 * open from open() to close(), cheap enough for a 1 ms timer.
 */
export function threadSchedstat() {
  const buffer = Buffer.alloc(96);
  let fd: number | undefined;
  return {
    open() {
      try {
        fd = openSync('/proc/thread-self/schedstat', 'r');
      } catch {
        fd = undefined;
      }
    },
    read(): [number, number] | undefined {
      if (fd === undefined) return undefined;
      const [onCpu = 0, waiting = 0] = buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0)).split(' ').map(Number);
      return [onCpu, waiting];
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
