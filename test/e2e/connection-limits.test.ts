// One client holding thousands of idle connections, tried on the real `faultline` process: 20,000
// connections to the gRPC port (from 80 loopback addresses, so the port's own max_connections is
// what stops them) leave the admin endpoint and the HTTP port answering; the connections past the
// limit are refused and counted, and those held are closed once their handshake timeout passes.
// 1,000 connections from one address to the HTTP port stop at max_connections_per_client while
// another client still exports there. Connections that completed the HTTP/2 handshake and then
// idle are closed after max_connection_idle. The floods run in a child process whose open-files
// limit prlimit raises (CI runs as root); the test process keeps its own. Limits are the defaults;
// only the timeouts are shortened. Started under a lower open-files limit than its listeners may
// use, Faultline warns at start.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAIN, startFaultlineProcess, type FaultlineProcess } from '../helpers/faultline-process.js';
import { startFlood, type Flood } from '../helpers/connection-flood.js';
import { exportOverGrpc } from '../helpers/grpc.js';
import { post } from '../helpers/http.js';
import { sampleValue } from '../helpers/prom-text.js';
import { tracesProtobuf } from '../helpers/sdk-payloads.js';

const CONFIG = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:0
        handshake_timeout: 8s
        keepalive: { server_parameters: { max_connection_idle: 2s } }
      http:
        endpoint: 127.0.0.1:0
        read_header_timeout: 4s
exporters:
  prometheus: {}
extensions:
  health_check: {}
service:
  extensions: [health_check]
  pipelines:
    traces: { receivers: [otlp], exporters: [prometheus] }
  telemetry:
    metrics: { address: 127.0.0.1:0 }
`;

const PROBES = 20;

let faultline: FaultlineProcess;
const floods: Flood[] = [];
const url = (path: string) => `http://127.0.0.1:${faultline.addresses.admin!.port}${path}`;

before(async () => {
  faultline = await startFaultlineProcess(CONFIG);
});
after(async () => {
  for (const flood of floods) flood.stop();
  faultline.child.kill('SIGTERM');
  await faultline.exited;
});

function flood(options: { port: number; count: number; sources: number; firstSource: number; preface?: boolean }): Flood {
  const started = startFlood({ preface: false, maxSeconds: 120, ...options });
  floods.push(started);
  return started;
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(url('/metrics'))).text();
  return sampleValue(text, name, labels) ?? 0;
}

/** PROBES probes of /health/live one after another: the statuses seen. */
async function probeAdmin(): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < PROBES; i++) statuses.push((await fetch(url('/health/live'))).status);
  return statuses;
}

async function exportOverHttp(): Promise<number> {
  const reply = await post(`http://127.0.0.1:${faultline.addresses['otlp.http']!.port}/v1/traces`, await tracesProtobuf('probe', 1), {
    'content-type': 'application/x-protobuf',
  });
  return reply.status;
}

async function exportOverGrpcPort(): Promise<string | null> {
  const result = await exportOverGrpc(`127.0.0.1:${faultline.addresses['otlp.grpc']!.port}`, 'traces', await tracesProtobuf('probe', 1));
  return result.error?.message ?? null;
}

describe('a client holding idle connections', { timeout: 180_000 }, () => {
  it('fills only the gRPC port with 20,000 connections: the admin endpoint and the HTTP port answer, the excess is refused and counted, the held ones close after handshake_timeout', async () => {
    const grpc = { listener: 'otlp.grpc' };
    const attempts = 20_000;
    const running = flood({ port: faultline.addresses['otlp.grpc']!.port, count: attempts, sources: 80, firstSource: 2 });
    const held = await running.held;
    assert.equal(held.failed, 0, 'every connection was accepted by the kernel');
    assert.ok(held.open > 0 && held.open <= 4096, `the port holds at most max_connections (4096): ${held.open}`);

    assert.deepEqual(await probeAdmin(), Array(PROBES).fill(200), 'every admin probe answered while the flood held its connections');
    assert.equal(await exportOverHttp(), 200, 'the HTTP port took an export');
    assert.ok((await metric('faultline_listener_connections', grpc)) <= 4096);
    assert.ok((await metric('faultline_listener_connections_refused_total', { ...grpc, reason: 'max_connections' })) > 0);

    const closed = await running.allClosed;
    assert.equal(closed.closed, attempts, 'the server closed every connection it was given');
    const refused =
      (await metric('faultline_listener_connections_refused_total', { ...grpc, reason: 'max_connections' })) +
      (await metric('faultline_listener_connections_refused_total', { ...grpc, reason: 'max_connections_per_client' }));
    const timedOut = await metric('faultline_listener_connections_timed_out_total', { ...grpc, reason: 'handshake' });
    assert.ok(timedOut >= held.open, `every held connection timed out in the handshake (${timedOut} of ${held.open})`);
    assert.equal(refused + timedOut, attempts, 'each connection was refused or timed out, and counted once');
    assert.equal(await metric('faultline_listener_connections', grpc), 0);
    assert.equal(await exportOverGrpcPort(), null, 'the gRPC port takes exports again');
  });

  it('stops 1,000 connections from one address at max_connections_per_client (256) on the HTTP port, while another client still exports there', async () => {
    const http = { listener: 'otlp.http' };
    const timedOutBefore = await metric('faultline_listener_connections_timed_out_total', { ...http, reason: 'read' });
    const running = flood({ port: faultline.addresses['otlp.http']!.port, count: 1000, sources: 1, firstSource: 200 });
    const held = await running.held;
    assert.ok(held.open <= 256, `one address holds at most 256: ${held.open}`);

    assert.equal(await exportOverHttp(), 200, 'a client on another address exports');
    assert.equal(await exportOverGrpcPort(), null, 'the gRPC port takes an export');
    assert.deepEqual(await probeAdmin(), Array(PROBES).fill(200));

    const closed = await running.allClosed;
    assert.equal(closed.closed, 1000);
    const refused = await metric('faultline_listener_connections_refused_total', { ...http, reason: 'max_connections_per_client' });
    const timedOut = (await metric('faultline_listener_connections_timed_out_total', { ...http, reason: 'read' })) - timedOutBefore;
    assert.ok(refused > 0, 'refused past the per-client limit');
    assert.equal(refused + timedOut, 1000, 'connections that sent nothing were closed after read_header_timeout (408) and counted');
  });

  it('closes gRPC connections that finished the HTTP/2 handshake and then idle, after max_connection_idle, without counting them as timed out', async () => {
    const handshake = { listener: 'otlp.grpc', reason: 'handshake' };
    const refusedTotal = async () =>
      (await metric('faultline_listener_connections_refused_total', { listener: 'otlp.grpc', reason: 'max_connections' })) +
      (await metric('faultline_listener_connections_refused_total', { listener: 'otlp.grpc', reason: 'max_connections_per_client' }));
    const timedOutBefore = await metric('faultline_listener_connections_timed_out_total', handshake);
    const refusedBefore = await refusedTotal();
    const running = flood({ port: faultline.addresses['otlp.grpc']!.port, count: 300, sources: 3, firstSource: 100, preface: true });
    assert.equal((await running.held).failed, 0);
    const closed = await running.allClosed;
    assert.equal(closed.closed, 300, 'the server closed every one');
    assert.equal(await refusedTotal(), refusedBefore, 'under both limits, none was refused');
    assert.equal(await metric('faultline_listener_connections_timed_out_total', handshake), timedOutBefore, 'none was a handshake timeout');
  });
});

describe('the open-files limit', { timeout: 60_000 }, () => {
  /** Starts faultline under `prlimit --nofile=<limit>` and returns its log lines up to the first after 'Faultline started'. */
  async function logsUnder(limit: number): Promise<Record<string, unknown>[]> {
    const directory = mkdtempSync(path.join(tmpdir(), 'faultline-nofile-'));
    const config = path.join(directory, 'otel-config.yaml');
    writeFileSync(config, CONFIG);
    const child = spawn('prlimit', [`--nofile=${limit}:${limit}`, process.execPath, MAIN, '--config', config]);
    const lines: Record<string, unknown>[] = [];
    let buffered = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('faultline did not start within 10 s')), 10_000);
        child.on('exit', (code) => reject(new Error(`faultline exited with ${code}`)));
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            lines.push(JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>);
            buffered = buffered.slice(newline + 1);
          }
          // The warning, when there is one, is written in the same turn as 'Faultline started'.
          if (lines.some((line) => line.msg === 'Faultline started')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      child.kill('SIGKILL');
    }
    return lines;
  }

  const warning = (lines: Record<string, unknown>[]) => lines.find((line) => String(line.msg).includes('open-files limit'));

  it('is warned about at start when the listeners may hold more connections than it leaves room for', async () => {
    const found = warning(await logsUnder(4096));
    assert.equal(found?.level, 'warn');
    assert.equal(found?.open_files_limit, 4096);
    assert.equal(found?.max_connections_total, 4096 + 4096 + 512);
  });

  it('is not warned about when it has room for every listener at its limit', async () => {
    assert.equal(warning(await logsUnder(16_384)), undefined);
  });
});
