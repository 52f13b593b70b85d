// A client that opens many idle connections to one port, as a child process of its own, under
// `prlimit --nofile=65536` where the OS lets root raise the limit (a container without
// CAP_SYS_RESOURCE does not: then it keeps the inherited limit, which suffices while the server
// refuses what it cannot hold, as a refused connection's descriptor is freed at once). It
// opens `count` connections from `sources` loopback addresses (127.0.0.<firstSource>…, each its
// own client to the server), in batches, sends nothing on them (or, with `preface`, the HTTP/2
// preface and an empty SETTINGS frame, then nothing), and reports on stdout as JSON lines:
//   {"event":"held","open":n,"closed":n,"failed":n}  once every connection is open or closed
//   {"event":"all-closed","closed":n}                   once the server has closed every one
// It exits after `maxSeconds` whatever happens, and when its stdin closes (its parent is gone).

import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface FloodOptions {
  readonly port: number;
  readonly count: number;
  readonly sources: number;
  /** The last octet of the first source address (127.0.0.<firstSource>). */
  readonly firstSource: number;
  readonly preface: boolean;
  readonly maxSeconds: number;
}

export interface FloodReport {
  readonly event: 'held' | 'all-closed';
  readonly open: number;
  readonly closed: number;
  readonly failed: number;
}

const BATCH = 500;
/** The server refuses as it accepts, after the connect: its closes are waited for until none came for this long since the last connect or close. */
const QUIET_MS = 500;
const PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

async function flood(options: FloodOptions): Promise<void> {
  let open = 0;
  let closed = 0;
  let failed = 0;
  let lastClose = Date.now();
  let allClosed: (() => void) | undefined;
  const report = (event: FloodReport['event']) => process.stdout.write(`${JSON.stringify({ event, open, closed, failed })}\n`);

  const connect = (index: number) =>
    new Promise<void>((settled) => {
      const localAddress = `127.0.0.${options.firstSource + (index % options.sources)}`;
      const socket = net.connect({ port: options.port, host: '127.0.0.1', localAddress });
      let connected = false;
      socket.on('connect', () => {
        connected = true;
        open++;
        if (options.preface) socket.write(PREFACE);
        settled();
      });
      socket.on('data', () => {});
      socket.on('error', () => {});
      socket.on('close', () => {
        if (connected) {
          open--;
          closed++;
        } else {
          failed++;
          settled();
        }
        lastClose = Date.now();
        if (open === 0 && allClosed !== undefined) allClosed();
      });
    });

  for (let start = 0; start < options.count; start += BATCH) {
    const batch: Promise<void>[] = [];
    for (let i = start; i < Math.min(options.count, start + BATCH); i++) batch.push(connect(i));
    await Promise.all(batch);
  }
  lastClose = Math.max(lastClose, Date.now());
  while (Date.now() - lastClose < QUIET_MS) await new Promise((resolve) => setTimeout(resolve, QUIET_MS / 5));
  report('held');
  if (open > 0) await new Promise<void>((resolve) => (allClosed = resolve));
  report('all-closed');
}

/** Higher than the test process's own limit; root may raise its children's (CI runs as root). */
const FLOOD_NOFILE = 65_536;

export interface Flood {
  /** Resolves once every connection is open or closed (the server refused some as it accepted them). */
  readonly held: Promise<FloodReport>;
  /** Resolves once the server has closed every connection it held. */
  readonly allClosed: Promise<FloodReport>;
  /** Ends the flood child (its connections close with it). */
  stop(): void;
}

/** Starts a flood child under `prlimit --nofile`; both promises reject if it exits before reporting. */
export function startFlood(options: FloodOptions): Flood {
  const script = fileURLToPath(import.meta.url);
  const command = [process.execPath, script, JSON.stringify(options)];
  const raise = [`--nofile=${FLOOD_NOFILE}:${FLOOD_NOFILE}`];
  const raised = spawnSync('prlimit', [...raise, 'true']).status === 0;
  const child = raised ? spawn('prlimit', [...raise, ...command], { stdio: 'pipe' }) : spawn(command[0]!, command.slice(1), { stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const waiters = new Map<string, (report: FloodReport) => void>();
  const exited = new Promise<never>((_, reject) =>
    child.on('exit', (code) => reject(new Error(`the flood exited with ${code}${stderr ? `: ${stderr.trim()}` : ''}`))),
  );
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const report = JSON.parse(buffered.slice(0, newline)) as FloodReport;
      buffered = buffered.slice(newline + 1);
      waiters.get(report.event)?.(report);
    }
  });
  const waitFor = (event: FloodReport['event']) => Promise.race([new Promise<FloodReport>((resolve) => waiters.set(event, resolve)), exited]);
  const held = waitFor('held');
  const allClosed = waitFor('all-closed');
  held.catch(() => {});
  allClosed.catch(() => {});
  return { held, allClosed, stop: () => child.kill('SIGKILL') };
}

// Run as a child with its options; `node --test dist/test/` also loads this file, with none: then it does nothing.
if (process.argv[1] !== undefined && process.argv[2] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options = JSON.parse(process.argv[2]) as FloodOptions;
  setTimeout(() => process.exit(2), options.maxSeconds * 1000).unref();
  process.stdin.on('end', () => process.exit(3));
  process.stdin.resume();
  flood(options).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}
