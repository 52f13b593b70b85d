// A real Kafka protocol peer for tests: kcat (Debian's `kcat`, which `npm run test:ci` installs)
// started on librdkafka's mock cluster, which speaks the Kafka protocol over TCP on a loopback port
// and keeps what producers send. The same kcat consumes `topic` from the beginning and prints each
// message as `key TAB headers TAB value`, so a test reads exactly what the cluster stored. Fails
// (never skips), naming the package, when kcat is missing.
//
// freeze()/thaw() send SIGSTOP/SIGCONT to kcat: the cluster's threads stop, its sockets stay open
// but nothing answers, as with a broker that hangs.

import { spawn, type ChildProcess } from 'node:child_process';
import { PEERS, requirePeer } from './peers.js';

export interface KafkaRecord {
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: string;
}

export interface MockKafka {
  /** host:port of the mock cluster's bootstrap broker (127.0.0.1). */
  readonly bootstrap: string;
  readonly pid: number;
  /** Every message consumed so far, in the order kcat printed them. */
  records(): readonly KafkaRecord[];
  /** Waits until `check(records)` holds; throws after `timeoutMillis` with what was seen. */
  waitFor(what: string, check: (records: readonly KafkaRecord[]) => boolean, timeoutMillis?: number): Promise<readonly KafkaRecord[]>;
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

export async function startMockKafka(topic: string): Promise<MockKafka> {
  const kcat = requirePeer(PEERS.kcat);
  const child: ChildProcess = spawn(
    kcat,
    ['-b', 'unused:9092', '-C', '-t', topic, '-X', 'test.mock.num.brokers=1', '-d', 'mock', '-o', 'beginning', '-u', '-f', '%k\t%h\t%s\n'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const records: KafkaRecord[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const [key = '', headers = '', ...value] = line.split('\t');
      records.push({ key, headers: parseHeaders(headers), value: value.join('\t') });
    }
  });
  let stderr = '';
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kcat printed no mock cluster address within 10 s; stderr: ${stderr.slice(0, 2000)}`)), 10_000);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 100_000) stderr += chunk;
      const match = /Mock cluster .*bootstrap\.servers=(127\.0\.0\.1:\d+)/.exec(stderr);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kcat exited (${code}) before its mock cluster started; stderr: ${stderr.slice(0, 2000)}`));
    });
  });
  // Past the start, the mock's debug lines are not needed: keep reading so the pipe never fills.
  child.stderr!.removeAllListeners('data');
  child.stderr!.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    bootstrap,
    pid: child.pid!,
    records: () => records,
    async waitFor(what, check, timeoutMillis = 60_000) {
      const deadline = Date.now() + timeoutMillis;
      while (Date.now() < deadline) {
        if (check(records)) return records;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}; kcat printed ${records.length} messages`);
    },
    freeze: () => process.kill(child.pid!, 'SIGSTOP'),
    thaw: () => process.kill(child.pid!, 'SIGCONT'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid!, 'SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** kcat's %h: `name=value,name=value`. */
function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (text === '') return headers;
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) headers[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return headers;
}
