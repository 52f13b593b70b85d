// Starts a real, private PostgreSQL server for the tests that need one (the store's PostgreSQL
// backend). Each call builds a throwaway cluster with initdb in a fresh temporary directory, runs
// `postgres` on a free port on 127.0.0.1 only, with its unix socket in that directory rather than
// /var/run/postgresql, and removes everything on stop(). Nothing is shared with a system cluster,
// so test files (and two test runs) can each start their own at the same time.
//
// Why it is built this way:
// - The tests run as root, and initdb and postgres refuse to; as root the helper runs both as
//   the `postgres` system user (Debian's package creates it) through setpriv and hands that user
//   the temporary directory. As any other user they run as that user.
// - setpriv also gives postgres a parent-death signal: if the test process dies, even by SIGKILL
//   or a test runner's timeout, the kernel stops the server with it. stop() in the tests' `after`
//   is the normal way out; a process 'exit' hook is a second safety net. A directory left by a
//   test process that was killed is removed by the next start (its owner.pid names a dead process).
// - The data is thrown away, so durability is switched off for speed (fsync, synchronous_commit,
//   full_page_writes off; initdb --no-sync). Never copy these settings to a real server.
// - Authentication is `trust` for the `postgres` superuser, on the socket and 127.0.0.1 alone.
// - Start-up is bounded: after STARTUP_TIMEOUT_MILLIS it fails with the tail of the server log.
// - When PostgreSQL is not installed it fails (never skips) with requirePeer's message, which
//   names the Debian package; `npm run test:ci` installs it.

import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PEERS, requirePeer } from './peers.js';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres, the server's maintenance database. */
  readonly url: string;
  readonly port: number;
  /** Creates an empty database (a fresh name when none is given) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MILLIS = 30_000;
const STOP_TIMEOUT_MILLIS = 10_000;
const PORT_ATTEMPTS = 5;
const SUPERUSER = 'postgres';
const LOG_TAIL_LINES = 30;
const DIRECTORY_PREFIX = 'faultline-pg-';
const OWNER_FILE = 'owner.pid';

/** Servers still running and their directories, stopped by the 'exit' hook if a test forgets to. */
const running = new Map<ChildProcess, string>();
let exitHookInstalled = false;

export async function startPostgres(): Promise<PostgresServer> {
  const bin = path.dirname(requirePeer(PEERS.postgres));
  const deadline = Date.now() + STARTUP_TIMEOUT_MILLIS;
  removeAbandonedDirectories();
  const dir = mkdtempSync(path.join(tmpdir(), DIRECTORY_PREFIX));
  try {
    writeFileSync(path.join(dir, OWNER_FILE), String(process.pid));
    const asUser = serverUser();
    if (asUser !== undefined) chownSync(dir, asUser.uid, asUser.gid);
    const data = path.join(dir, 'data');
    await initdb(bin, asUser, dir, data, deadline);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await startServer(bin, asUser, dir, data, port, deadline);
      if (started.ok) {
        trackUntilExit(started.child, dir);
        return handle(started.child, dir, port);
      }
      // Another process took the port between freePort() and postgres binding it: try another.
      if (started.portTaken && attempt < PORT_ATTEMPTS) continue;
      throw new Error(`${started.reason}\n--- tail of the PostgreSQL server log ---\n${logTail(dir)}`);
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

interface ServerUser {
  readonly uid: number;
  readonly gid: number;
}

/** The `postgres` system user when we are root (PostgreSQL refuses to run as root), else none. */
function serverUser(): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => {
    const result = spawnSync('id', [flag, SUPERUSER], { encoding: 'utf8' });
    return result.status === 0 ? Number(result.stdout.trim()) : undefined;
  };
  const uid = id('-u');
  const gid = id('-g');
  if (uid === undefined || gid === undefined) {
    throw new Error(`PostgreSQL refuses to run as root and there is no '${SUPERUSER}' system user to run it as; Debian's postgresql package creates one (${PEERS.postgres.debianPackage}).`);
  }
  return { uid, gid };
}

/** The command line that runs `program` as the server user, with a parent-death signal. */
function asServerUser(asUser: ServerUser | undefined, program: string, args: readonly string[]): [string, string[]] {
  const drop = asUser === undefined ? [] : [`--reuid=${asUser.uid}`, `--regid=${asUser.gid}`, '--init-groups'];
  // SIGQUIT is PostgreSQL's immediate shutdown.
  return ['setpriv', [...drop, '--pdeathsig=SIGQUIT', '--', program, ...args]];
}

async function initdb(bin: string, asUser: ServerUser | undefined, dir: string, data: string, deadline: number): Promise<void> {
  const [command, args] = asServerUser(asUser, path.join(bin, 'initdb'), [
    `--pgdata=${data}`,
    `--username=${SUPERUSER}`,
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync', // a throwaway cluster: nothing to flush to disk
    '--no-instructions',
  ]);
  await new Promise<void>((resolve, reject) => {
    // cwd: the server user may not be allowed into the caller's directory.
    execFile(command, args, { cwd: dir, timeout: Math.max(1, deadline - Date.now()), killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error === null) return resolve();
      const hint = asUser !== undefined && /Permission denied/.test(stderr) ? `\nThe ${SUPERUSER} user must be able to enter ${tmpdir()}; point TMPDIR at a directory it can (such as /tmp).` : '';
      reject(new Error(`initdb failed (${error.killed ? `no answer within ${STARTUP_TIMEOUT_MILLIS} ms` : error.message.split('\n')[0]}):\n${stdout}${stderr}${hint}`));
    });
  });
  // Our own rules rather than initdb's: the socket and 127.0.0.1, nothing else, no replication.
  writeFileSync(path.join(data, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
}

type Started = { ok: true; child: ChildProcess } | { ok: false; portTaken: boolean; reason: string };

async function startServer(bin: string, asUser: ServerUser | undefined, dir: string, data: string, port: number, deadline: number): Promise<Started> {
  const [command, args] = asServerUser(asUser, path.join(bin, 'postgres'), [
    '-D', data,
    '-c', 'listen_addresses=127.0.0.1',
    '-c', `port=${port}`,
    '-c', `unix_socket_directories=${dir}`,
    // Speed over durability: the cluster is deleted after the test.
    '-c', 'fsync=off',
    '-c', 'synchronous_commit=off',
    '-c', 'full_page_writes=off',
    // Small, so that several test files can each run one on a shared machine.
    '-c', 'shared_buffers=16MB',
    '-c', 'max_connections=50',
    '-c', 'logging_collector=off',
  ]);
  const log = openSync(path.join(dir, 'server.log'), 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: dir, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not start ${command}: ${error.message}`));
    child.once('exit', (code, signal) => resolve(`PostgreSQL exited during start-up (${signal ?? `exit code ${code}`})`));
  });
  let exitReason: string | undefined;
  void exited.then((reason) => (exitReason = reason));
  // Ready means a client can connect and run a query; bounded by the deadline.
  const url = urlFor(port, 'postgres');
  while (exitReason === undefined && Date.now() < deadline) {
    if (await canQuery(url, deadline)) return { ok: true, child };
    if (exitReason === undefined) await Promise.race([exited, pause(50)]);
  }
  if (exitReason === undefined) {
    await shutDown(child);
    return { ok: false, portTaken: false, reason: `PostgreSQL did not accept connections on 127.0.0.1:${port} within ${STARTUP_TIMEOUT_MILLIS} ms` };
  }
  return { ok: false, portTaken: /could not bind|already in use/i.test(logTail(dir)), reason: exitReason };
}

async function canQuery(url: string, deadline: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: Math.max(1, Math.min(2_000, deadline - Date.now())) });
  client.on('error', () => {}); // a server going away while we probe is an answer, not a crash
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function handle(child: ChildProcess, dir: string, port: number): PostgresServer {
  let databases = 0;
  let stopping: Promise<void> | undefined;
  const url = urlFor(port, 'postgres');
  return {
    url,
    port,
    async createDatabase(name = `test_${++databases}`) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return urlFor(port, name);
    },
    stop() {
      stopping ??= (async () => {
        await shutDown(child);
        running.delete(child);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** Immediate shutdown (SIGQUIT: no checkpoint, the data is about to be deleted), SIGKILL if it hangs. */
async function shutDown(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGQUIT'); // the postmaster passes it on to every backend
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MILLIS);
  await exited;
  clearTimeout(timer);
}

function trackUntilExit(child: ChildProcess, dir: string): void {
  running.set(child, dir);
  child.once('exit', () => running.delete(child));
  // A server left running must not keep the test process alive; the 'exit' hook stops it.
  child.unref();
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [server, dir] of running) {
      server.kill('SIGQUIT');
      rmSync(dir, { recursive: true, force: true }); // best effort: the server may still be exiting
    }
  });
}

function urlFor(port: number, database: string): string {
  return `postgres://${SUPERUSER}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Removes the directories of test processes that died without stopping their server. */
function removeAbandonedDirectories(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(DIRECTORY_PREFIX)) continue;
    const dir = path.join(tmpdir(), entry);
    let owner: number;
    try {
      owner = Number(readFileSync(path.join(dir, OWNER_FILE), 'utf8'));
    } catch {
      continue; // being created right now, or not ours to judge
    }
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function logTail(dir: string): string {
  const file = path.join(dir, 'server.log');
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
}

const pause = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis));
