// What idle connections cost, and how many a listener holds: the real server with the default
// connection limits (4,096 per ingest port), the timeouts raised so nothing closes during the run.
// For each kind of idle connection the bench opens 5,120 connections from 32 loopback addresses
// (160 each, under max_connections_per_client), waits for the server to settle, and reads:
//   held       connections the port holds (faultline_listener_connections) and refused;
//   RSS        the server's RSS before and with them, per 1,000 held connections;
//   probe      the slowest of 20 GET /health/live while they are held.
// Kinds: grpc-silent (connected, nothing sent: waiting in the preface gate), grpc-h2 (the HTTP/2
// preface and SETTINGS sent, then idle: a grpc-js HTTP/2 session each), http-silent (connected,
// nothing sent: an HTTP parser each).
//
// Standalone: node dist/bench/connections.js [--kind=grpc-silent,grpc-h2,http-silent]
// In `npm run bench` it is the `connections` section.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, table } from './measure.js';
import { freePort, statusMiB, stopProcess } from './processes.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(HERE, '../src/main.js');
const SOURCES = 32;
const PER_SOURCE = 160;
const BATCH = 256;
const SETTLE_MS = 1500;
const PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

export type ConnectionKind = 'grpc-silent' | 'grpc-h2' | 'http-silent';
export const CONNECTION_KINDS: readonly ConnectionKind[] = ['grpc-silent', 'grpc-h2', 'http-silent'];

export interface ConnectionResult {
  readonly kind: ConnectionKind;
  readonly attempted: number;
  readonly held: number;
  readonly refused: number;
  readonly rssBeforeMiB: number;
  readonly rssHeldMiB: number;
  readonly mibPerThousand: number;
  readonly probeMaxMs: number;
}

const rssMiB = (pid: number) => statusMiB(pid, 'VmRSS');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function metric(adminPort: number, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

export async function measureConnections(kind: ConnectionKind): Promise<ConnectionResult> {
  const [httpPort, grpcPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  const directory = mkdtempSync(path.join(os.tmpdir(), 'faultline-connections-'));
  const configPath = path.join(directory, 'otel-config.yaml');
  writeFileSync(
    configPath,
    `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${grpcPort}, handshake_timeout: 5m, keepalive: { server_parameters: { max_connection_idle: 5m } } }
      http: { endpoint: 127.0.0.1:${httpPort}, read_header_timeout: 5m, read_timeout: 5m }
exporters:
  prometheus: {}
extensions:
  health_check: {}
service:
  extensions: [health_check]
  pipelines:
    traces: { receivers: [otlp], exporters: [prometheus] }
  telemetry:
    logs: { level: warn }
    metrics: { address: 127.0.0.1:${adminPort} }
`,
  );
  const child = spawn(process.execPath, [MAIN, '--config', configPath], { stdio: ['ignore', 'ignore', 'inherit'] });
  const sockets: net.Socket[] = [];
  try {
    for (let attempt = 0; !(await fetch(`http://127.0.0.1:${adminPort}/health/ready`).then((r) => r.status === 200, () => false)); attempt++) {
      if (attempt >= 200) throw new Error('Faultline did not become ready in 10 s');
      await sleep(50);
    }
    await sleep(SETTLE_MS);
    const rssBeforeMiB = rssMiB(child.pid!);
    const port = kind === 'http-silent' ? httpPort : grpcPort;
    const attempted = SOURCES * PER_SOURCE;
    for (let start = 0; start < attempted; start += BATCH) {
      const batch: Promise<void>[] = [];
      for (let i = start; i < Math.min(attempted, start + BATCH); i++) {
        batch.push(
          new Promise<void>((settled) => {
            const socket = net.connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (i % SOURCES)}` });
            socket.on('connect', () => {
              if (kind === 'grpc-h2') socket.write(PREFACE);
              settled();
            });
            socket.on('data', () => {});
            socket.on('error', () => settled());
            socket.on('close', () => settled());
            sockets.push(socket);
          }),
        );
      }
      await Promise.all(batch);
    }
    await sleep(SETTLE_MS);
    const listener = kind === 'http-silent' ? 'otlp.http' : 'otlp.grpc';
    const held = await metric(adminPort, `faultline_listener_connections{listener="${listener}"}`);
    const refused = await metric(adminPort, `faultline_listener_connections_refused_total{listener="${listener}",reason="max_connections"}`);
    const rssHeldMiB = rssMiB(child.pid!);
    let probeMaxMs = 0;
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await fetch(`http://127.0.0.1:${adminPort}/health/live`);
      probeMaxMs = Math.max(probeMaxMs, performance.now() - started);
    }
    return { kind, attempted, held, refused, rssBeforeMiB, rssHeldMiB, mibPerThousand: ((rssHeldMiB - rssBeforeMiB) / held) * 1000, probeMaxMs };
  } finally {
    for (const socket of sockets) socket.destroy();
    await stopProcess(child);
    rmSync(directory, { recursive: true, force: true });
  }
}

export function connectionsTable(results: readonly ConnectionResult[]): string {
  return table(
    ['kind', 'attempted', 'held', 'refused', 'RSS before MiB', 'RSS held MiB', 'MiB / 1,000 held', 'probe max ms'],
    results.map((r) => [r.kind, String(r.attempted), String(r.held), String(r.refused), fmt(r.rssBeforeMiB), fmt(r.rssHeldMiB), fmt(r.mibPerThousand), fmt(r.probeMaxMs)]),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const kinds = (process.argv.find((arg) => arg.startsWith('--kind='))?.slice(7).split(',') ?? CONNECTION_KINDS) as ConnectionKind[];
  const results: ConnectionResult[] = [];
  for (const kind of kinds) results.push(await measureConnections(kind));
  process.stdout.write(`connections, load average ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}\n${connectionsTable(results)}\n`);
}
