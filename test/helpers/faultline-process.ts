// Runs the real `faultline` command (dist/src/main.js) as a child process, for tests of what only a
// process shows: exit codes, signals, a kill and a restart. Ports come from its own start-up log.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO = new URL('../../../', import.meta.url).pathname;
export const MAIN = path.join(REPO, 'dist/src/main.js');

export interface FaultlineProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Bound addresses by name (`admin`, `otlp.http`…), from the 'Faultline started' log line. */
  readonly addresses: Record<string, { port: number }>;
  /** Every JSON log line so far. */
  readonly logs: Record<string, unknown>[];
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/** Writes `configText` to a temporary file and starts `faultline --config` on it; resolves once started (10 s at most). */
export async function startFaultlineProcess(configText: string): Promise<FaultlineProcess> {
  const config = path.join(mkdtempSync(path.join(tmpdir(), 'faultline-process-')), 'otel-config.yaml');
  writeFileSync(config, configText);
  const child = spawn(process.execPath, [MAIN, '--config', config]);
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const addresses = await new Promise<Record<string, { port: number }>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // a child left running would keep the test file from ending
      reject(new Error('Faultline did not start within 10 s'));
    }, 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
        buffered = buffered.slice(newline + 1);
        logs.push(line);
        if (line.msg === 'Faultline started') {
          clearTimeout(timer);
          resolve(line.addresses as Record<string, { port: number }>);
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Faultline exited early with ${code}${stderr ? `: ${stderr.trim()}` : ''}`));
    });
  });
  return { child, addresses, logs, exited };
}

/** http://127.0.0.1:PORT of the report receiver of reportsToGroupsConfig (its own port). */
export function reportUrl(running: FaultlineProcess): string {
  return `http://127.0.0.1:${running.addresses.report!.port}`;
}

/**
 * A config with only the report receiver (on a port of its own: reportUrl), the groups exporter (writing every 100 ms) and health
 * checks; `service` lines (indented two spaces) say where it stores, e.g. `data_dir: …`; `groups`
 * adds keys to the groups exporter's flow map, e.g. `max_pending_events: 10`.
 */
export function reportsToGroupsConfig(service: string, groups = ''): string {
  return `
receivers:
  report: { endpoint: 127.0.0.1:0 }
exporters:
  groups: { flush_interval: 100ms${groups === '' ? '' : `, ${groups}`} }
extensions:
  health_check: {}
service:
  extensions: [health_check]
  pipelines:
    logs: { receivers: [report], exporters: [groups] }
${service}
  telemetry:
    metrics: { address: 127.0.0.1:0 }
`;
}
