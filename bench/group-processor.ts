// The `group` processor alone, in this process: CPU per event of grouping (stack cache, fingerprint,
// title; no store) on a seeded mix: 40% log lines without a stack whose messages carry ids, times
// and durations (grouped by message), 60% events over 100 JavaScript and Python stack traces (the
// cache's hits after the first sightings). Prints events per CPU-second of the grouping loop only
// (start-up and making the events left out).
//
// Standalone: node dist/bench/group-processor.js [--events=60000] [--build=<another checkout>]
// --build times that checkout's built dist/ (e.g. main's) with the same events, for an A/B on one
// machine; run the two in turn several times and compare medians (a shared machine is noisy).

import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { events: { type: 'string', default: '60000' }, build: { type: 'string' } } });
const total = Number(values.events);
// dist/bench → the checkout whose build is timed.
const root = values.build === undefined ? new URL('../../', import.meta.url).pathname : path.resolve(values.build);
const load = (module: string) => import(path.join(root, 'dist/src', module));
const { createGroupProcessor } = await load('group/group-processor.js');
const { IMPLICIT_GROUP_PROCESSOR } = await load('group/config.js');
const { createRegistry } = await load('metrics/registry.js');
const { ManualClock } = await load('internal/clock.js');

let seed = 7;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = (n: number) => Math.floor(random() * n);

const stacks = Array.from({ length: 100 }, (_, i) =>
  i % 2 === 0
    ? {
        type: 'TypeError',
        text: [
          `TypeError: Cannot read properties of undefined (reading 'id${i}')`,
          `    at handler${i} (/srv/shop/src/routes/r${i}.js:${10 + i}:5)`,
          `    at service${i % 7} (/srv/shop/src/services/s${i % 7}.js:20:3)`,
          '    at Layer.handle (/srv/shop/node_modules/express/lib/router/layer.js:95:5)',
          '    at next (/srv/shop/node_modules/express/lib/router/route.js:149:13)',
          '    at main (/srv/shop/src/main.js:3:1)',
        ].join('\n'),
      }
    : {
        type: 'KeyError',
        text: [
          'Traceback (most recent call last):',
          `  File "/srv/shop/app/views.py", line ${40 + i}, in view${i}`,
          '    return load(order)',
          `  File "/srv/shop/app/orders.py", line 12, in load${i % 5}`,
          '    return cache[key]',
          '  File "/usr/lib/python3.12/site-packages/redis/client.py", line 88, in get',
          '    raise KeyError(key)',
          `KeyError: 'order-${i}'`,
        ].join('\n'),
      },
);

const base = {
  source: 'span',
  service: 'shop',
  serviceVersion: '1.4.2',
  environment: 'prod',
  traceId: '',
  spanId: '',
  timestampMs: 0,
  level: 'error',
  escaped: undefined,
  handled: false,
  spanName: 'GET /x',
  httpRoute: '/x',
  httpMethod: 'GET',
  httpStatusCode: 500,
  urlPath: '/x',
  attributes: new Map(),
};
const events = Array.from({ length: 20_000 }, () => {
  if (pick(10) < 4) {
    const id = String(pick(1e12)).padStart(12, '0');
    const message = `payment ${pick(1e6)} failed for order 8f14e45f-ceea-467f-a8f1-${id} at 2024-05-0${1 + pick(9)}T12:${10 + pick(50)}:00Z after ${pick(5000)}ms`;
    return { ...base, source: 'log', type: 'Error', message, stacktrace: '' };
  }
  const stack = stacks[pick(stacks.length)]!;
  return { ...base, type: stack.type, message: `order ${pick(1e6)} not loaded`, stacktrace: stack.text };
});

const { processor } = createGroupProcessor({ ...IMPLICIT_GROUP_PROCESSOR, id: 'group' }, { registry: createRegistry({ defaultMetrics: false }), clock: new ManualClock() });
const started = process.cpuUsage();
let done = 0;
while (done < total) {
  for (let at = 0; at < events.length && done < total; at += 200) {
    done += processor.process({ events: events.slice(at, at + 200), timings: [], skippedExceptions: 0 }).events.length;
  }
}
const used = process.cpuUsage(started);
const cpuSeconds = (used.user + used.system) / 1e6;
console.log(`${root}: ${done} events grouped in ${cpuSeconds.toFixed(3)} CPU-s, ${Math.round(done / cpuSeconds).toLocaleString('en-US')} events per CPU-second`);
