// Runs one of the fixture apps (test/fixtures/apps/<name>) as its users do: a child process under
// `node --require @opentelemetry/auto-instrumentations-node/register`, exporting traces and logs
// over OTLP/HTTP (protobuf, the SDK default) to the given endpoint. Resolves once the app prints
// `listening on <port>`; stop() sends SIGTERM, on which the register hook flushes the SDK.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO } from './faultline-process.js';

export const APPS_DIR = path.join(REPO, 'test/fixtures/apps');

export interface RealApp {
  /** http://127.0.0.1:PORT of the app. */
  readonly url: string;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /** GETs `route` `times` times, one after another; resolves with the status codes. */
  hit(route: string, times: number): Promise<number[]>;
  /** SIGTERM, then waits (bounded) for the exit after the SDK's flush; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL if still running; for `after` hooks. */
  kill(): void;
}

export interface RealAppOptions {
  readonly serviceName: string;
  /** Base URL of the OTLP/HTTP receiver, e.g. http://127.0.0.1:4318. */
  readonly otlpEndpoint: string;
  /** Milliseconds to wait for the `listening` line (the register hook loads ~50 instrumentations). */
  readonly startTimeoutMillis?: number;
}

const STOP_TIMEOUT_MILLIS = 20_000;

export async function startRealApp(name: string, options: RealAppOptions): Promise<RealApp> {
  const child = spawn(process.execPath, ['--require', '@opentelemetry/auto-instrumentations-node/register', 'app.js'], {
    cwd: path.join(APPS_DIR, name),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      OTEL_SERVICE_NAME: options.serviceName,
      OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
      // The default detectors include cloud ones that call metadata servers off the loopback.
      OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));

  const port = await new Promise<number>((resolve, reject) => {
    const timeout = options.startTimeoutMillis ?? 30_000;
    const timer = setTimeout(() => reject(new Error(`${name} printed no "listening" line within ${timeout} ms:\n${output}`)), timeout);
    const onData = () => {
      const match = /listening on (\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:\n${output}`));
    });
  }).catch((error: unknown) => {
    kill(child);
    throw error;
  });
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    output: () => output,
    async hit(route, times) {
      const statuses: number[] = [];
      for (let i = 0; i < times; i++) {
        const response = await fetch(`${url}${route}`);
        await response.arrayBuffer();
        statuses.push(response.status);
      }
      return statuses;
    },
    async stop() {
      if (!running) return exited;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MILLIS)));
      const code = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (code === 'timeout') {
        kill(child);
        throw new Error(`${name} did not exit within ${STOP_TIMEOUT_MILLIS} ms of SIGTERM:\n${output}`);
      }
      return code;
    },
    kill: () => {
      if (running) kill(child);
    },
  };
}

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
