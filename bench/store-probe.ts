// The event-loop probe of the store benchmark, run as a worker thread so that the sender's own
// work (building and encoding request bodies) never delays a probe: GET /health/live on the
// server's admin endpoint every `intervalMs`, one at a time (a blocked server shows as one long
// probe, not a pile of them), until the parent posts 'stop'. Posts back every probe as
// [start ms since the epoch (performance.timeOrigin + now), latency ms, HTTP status or 0].

import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, intervalMs, timeoutMs } = workerData as { url: string; intervalMs: number; timeoutMs: number };
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const probes: [number, number, number][] = [];
let stopped = false;

parentPort!.on('message', (message) => {
  if (message === 'stop') stopped = true;
});

function probe(): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
  });
}

async function run(): Promise<void> {
  while (!stopped) {
    const start = performance.now();
    const status = await probe();
    const latency = performance.now() - start;
    probes.push([performance.timeOrigin + start, latency, status]);
    const wait = intervalMs - latency;
    await new Promise((resolve) => setTimeout(resolve, wait > 0 ? wait : 0));
  }
  agent.destroy();
  parentPort!.postMessage(probes);
}

void run();
