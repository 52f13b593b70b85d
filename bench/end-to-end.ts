// End to end over loopback. Faultline runs as its own process (`node dist/src/main.js --config`)
// pinned to core 0 with taskset (all its threads, the zlib thread pool included); this process,
// the sender, is pinned to core 1. The sender posts prepared bytes round-robin:
//   http  node:http with a keep-alive agent, `concurrency` requests in flight;
//   grpc  identity: @grpc/grpc-js raw unary calls on one channel (as test/helpers/grpc.ts);
//         gzip: node:http2 with prepared gRPC frames (compressed flag + grpc-encoding: gzip), so
//         the sender does not spend its core re-compressing every message.
// Saturation: closed loop for `durationMs`; server CPU is utime+stime from /proc/PID/stat before
// and after. Latency: an open loop at 80% of the saturation request rate. Peak RSS is VmHWM.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { percentile } from './measure.js';
import { freePort, statusMiB, stopProcess } from './processes.js';
import type { Compression, Format, Payload } from './payloads.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/main.js');
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export type Transport = 'http' | 'grpc';

export interface EndToEndResult {
  readonly scenario: string;
  readonly transport: Transport;
  readonly format: Format;
  readonly compression: Compression;
  readonly saturationItemsPerSecond: number;
  readonly saturationRequestsPerSecond: number;
  readonly serverCpuSecondsPerMillionItems: number;
  /** Fraction of one core the server used at saturation. */
  readonly serverCpuUtilisation: number;
  readonly refusedRequests: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyRequestsPerSecond: number;
  readonly peakRssMiB: number;
}

export function pinSelf(core: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface ServerProcess {
  readonly pid: number;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly adminPort: number;
  cpuSeconds(): number;
  status(field: 'VmHWM' | 'VmRSS'): number;
  stop(): Promise<void>;
}

function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function watch(child: ChildProcess, pid: number) {
  return {
    pid,
    cpuSeconds: () => readCpuSeconds(pid),
    status: (field: 'VmHWM' | 'VmRSS') => statusMiB(pid, field),
    stop: () => stopProcess(child),
  };
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not come up`);
}

/** Starts Faultline pinned to `core` with the bundled defaults, on free loopback ports. */
export async function startServer(options: { core: number; cardinalityLimit?: number }): Promise<ServerProcess> {
  const [httpPort, grpcPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  const directory = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-'));
  const configPath = path.join(directory, 'otel-config.yaml');
  writeFileSync(
    configPath,
    `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${grpcPort} }
      http: { endpoint: 127.0.0.1:${httpPort} }
processors:
  errors: {}
exporters:
  prometheus: { cardinality_limit: ${options.cardinalityLimit ?? 2000} }
extensions:
  health_check: {}
service:
  extensions: [health_check]
  pipelines:
    traces: { receivers: [otlp], processors: [errors], exporters: [prometheus] }
    logs: { receivers: [otlp], processors: [errors], exporters: [prometheus] }
  telemetry:
    logs: { level: warn }
    metrics: { address: 127.0.0.1:${adminPort} }
`,
  );
  // FAULTLINE_BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server.
  const nodeArgs = (process.env.FAULTLINE_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn('taskset', ['-c', String(options.core), process.execPath, ...nodeArgs, MAIN, '--config', configPath], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${adminPort}/health/ready`)).status === 200, 'Faultline');
  return { httpPort, grpcPort, adminPort, ...watch(child, child.pid!) };
}

/** A bare node:http server that reads the body and answers 200: the HTTP floor on this box. */
export async function startBareHttp(core: number): Promise<ServerProcess> {
  const port = await freePort();
  const script = `require('http').createServer({keepAliveTimeout:65000},(q,s)=>{q.on('data',()=>{});q.on('end',()=>s.end('ok'))}).listen(${port},'127.0.0.1')`;
  const child = spawn('taskset', ['-c', String(core), process.execPath, '-e', script], { stdio: 'ignore' });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.end();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    'bare http',
  );
  return { httpPort: port, grpcPort: 0, adminPort: 0, ...watch(child, child.pid!) };
}

/** Sends one request; resolves with whether it was accepted (HTTP 200 / gRPC OK). */
type Send = (body: Buffer) => Promise<boolean>;

interface Sender {
  send: Send;
  close(): void;
}

const GRPC_PATHS = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
} as const;

function createSender(
  server: ServerProcess,
  transport: Transport,
  payload: Payload,
  format: Format,
  compression: Compression,
  concurrency: number,
  bare = false,
): Sender {
  if (transport === 'http') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const headers: http.OutgoingHttpHeaders = {
      'content-type': format === 'json' ? 'application/json' : 'application/x-protobuf',
    };
    if (compression === 'gzip') headers['content-encoding'] = 'gzip';
    const requestPath = bare ? '/' : payload.signal === 'traces' ? '/v1/traces' : '/v1/logs';
    return {
      send: (body) =>
        new Promise((resolve) => {
          const request = http.request(
            { host: '127.0.0.1', port: server.httpPort, method: 'POST', path: requestPath, agent, headers: { ...headers, 'content-length': body.length } },
            (response) => {
              response.resume();
              response.on('end', () => resolve(response.statusCode === 200));
            },
          );
          request.on('error', () => resolve(false));
          request.end(body);
        }),
      close: () => agent.destroy(),
    };
  }
  const grpcPath = GRPC_PATHS[payload.signal];
  if (compression === 'identity') {
    const client = new grpc.Client(`127.0.0.1:${server.grpcPort}`, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': 64 * 1024 * 1024,
    });
    const same = (bytes: Buffer) => bytes;
    return {
      send: (body) =>
        new Promise((resolve) => {
          client.makeUnaryRequest(grpcPath, same, same, body, { deadline: Date.now() + 30_000 }, (error) => resolve(!error));
        }),
      close: () => client.close(),
    };
  }
  // gzip over gRPC: the prepared gzip bytes in a gRPC frame with the compressed flag set.
  const session = http2.connect(`http://127.0.0.1:${server.grpcPort}`);
  session.on('error', () => undefined);
  const framed = new Map<Buffer, Buffer>();
  const frame = (body: Buffer) => {
    let out = framed.get(body);
    if (out === undefined) {
      out = Buffer.alloc(5 + body.length);
      out[0] = 1;
      out.writeUInt32BE(body.length, 1);
      body.copy(out, 5);
      framed.set(body, out);
    }
    return out;
  };
  return {
    send: (body) =>
      new Promise((resolve) => {
        const stream = session.request({
          ':method': 'POST',
          ':path': grpcPath,
          'content-type': 'application/grpc',
          te: 'trailers',
          'grpc-encoding': 'gzip',
          'grpc-accept-encoding': 'identity,gzip',
        });
        let status: string | undefined;
        stream.on('trailers', (trailers) => {
          status = String(trailers['grpc-status']);
        });
        stream.on('response', (responseHeaders) => {
          if (responseHeaders['grpc-status'] !== undefined) status = String(responseHeaders['grpc-status']);
        });
        stream.on('data', () => undefined);
        stream.on('close', () => resolve(status === '0'));
        stream.on('error', () => resolve(false));
        stream.end(frame(body));
      }),
    close: () => session.close(),
  };
}

interface Phase {
  readonly accepted: number;
  readonly refused: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
}

/** Closed loop: `concurrency` workers send back to back until `durationMs` passes. */
async function closedLoop(send: Send, bodies: readonly Buffer[], concurrency: number, durationMs: number): Promise<Phase> {
  const end = performance.now() + durationMs;
  let next = 0;
  let accepted = 0;
  let refused = 0;
  const start = performance.now();
  const worker = async () => {
    while (performance.now() < end) {
      if (await send(bodies[next++ % bodies.length]!)) accepted++;
      else refused++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { accepted, refused, seconds: (performance.now() - start) / 1000, latenciesMs: [] };
}

/** Open loop at `rate` requests/s for `durationMs`; latency from send to reply. */
async function openLoop(send: Send, bodies: readonly Buffer[], rate: number, durationMs: number): Promise<Phase> {
  const start = performance.now();
  const end = start + durationMs;
  const latenciesMs: number[] = [];
  const pending: Promise<void>[] = [];
  let accepted = 0;
  let refused = 0;
  let sent = 0;
  // A cap on requests in flight keeps a saturated server from growing the sender without bound.
  let inFlight = 0;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (sent < due && inFlight < 256) {
      const body = bodies[sent++ % bodies.length]!;
      const sentAt = performance.now();
      inFlight++;
      pending.push(
        send(body).then((ok) => {
          inFlight--;
          latenciesMs.push(performance.now() - sentAt);
          if (ok) accepted++;
          else refused++;
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  return { accepted, refused, seconds: (performance.now() - start) / 1000, latenciesMs: latenciesMs.sort((a, b) => a - b) };
}

export async function measureEndToEnd(options: {
  payload: Payload;
  transport: Transport;
  format: Format;
  compression: Compression;
  concurrency: number;
  durationMs: number;
  serverCore: number;
}): Promise<EndToEndResult> {
  const { payload, transport, format, compression, concurrency, durationMs } = options;
  const server = await startServer({ core: options.serverCore });
  const sender = createSender(server, transport, payload, format, compression, concurrency);
  const bodies = payload.bodies[format][compression];
  try {
    // Warm-up: JIT, connections, series creation.
    await closedLoop(sender.send, bodies, concurrency, Math.min(1000, durationMs / 2));
    const cpuBefore = server.cpuSeconds();
    const saturation = await closedLoop(sender.send, bodies, concurrency, durationMs);
    const cpuSeconds = server.cpuSeconds() - cpuBefore;
    const requestsPerSecond = saturation.accepted / saturation.seconds;
    const latency = await openLoop(sender.send, bodies, requestsPerSecond * 0.8, durationMs);
    return {
      scenario: payload.scenario,
      transport,
      format,
      compression,
      saturationItemsPerSecond: requestsPerSecond * payload.items,
      saturationRequestsPerSecond: requestsPerSecond,
      serverCpuSecondsPerMillionItems: (cpuSeconds / (saturation.accepted * payload.items)) * 1e6,
      serverCpuUtilisation: cpuSeconds / saturation.seconds,
      refusedRequests: saturation.refused + latency.refused,
      latencyP50Ms: percentile(latency.latenciesMs, 50),
      latencyP99Ms: percentile(latency.latenciesMs, 99),
      latencyRequestsPerSecond: latency.accepted / latency.seconds,
      peakRssMiB: server.status('VmHWM'),
    };
  } finally {
    sender.close();
    await server.stop();
  }
}

/** Requests/s of the bare node:http server under the same sender and body (for R6). */
export async function measureBareHttp(payload: Payload, concurrency: number, durationMs: number, serverCore: number): Promise<number> {
  const server = await startBareHttp(serverCore);
  const sender = createSender(server, 'http', payload, 'protobuf', 'identity', concurrency, true);
  const bodies = payload.bodies.protobuf.identity;
  try {
    await closedLoop(sender.send, bodies, concurrency, Math.min(1000, durationMs / 2));
    const phase = await closedLoop(sender.send, bodies, concurrency, durationMs);
    return phase.accepted / phase.seconds;
  } finally {
    sender.close();
    await server.stop();
  }
}

/** RSS of a Faultline fed C1 (every span a new exception type) for `requests` requests. */
export async function measureCardinalityRss(payload: Payload, requests: number, serverCore: number): Promise<{ rssMiB: number; peakRssMiB: number; idleRssMiB: number }> {
  const server = await startServer({ core: serverCore });
  const sender = createSender(server, 'http', payload, 'protobuf', 'gzip', 4);
  try {
    const idleRssMiB = server.status('VmRSS');
    const bodies = payload.bodies.protobuf.gzip;
    let sent = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (sent < requests) await sender.send(bodies[sent++ % bodies.length]!);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { rssMiB: server.status('VmRSS'), peakRssMiB: server.status('VmHWM'), idleRssMiB };
  } finally {
    sender.close();
    await server.stop();
  }
}
