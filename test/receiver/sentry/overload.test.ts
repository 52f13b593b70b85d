// When Faultline cannot take more (its pipeline queue full, or shutting down) the sentry receiver
// answers as Sentry does, 429 with Retry-After and X-Sentry-Rate-Limits, since Sentry SDKs back
// off on 429 and not on 503. The receiver runs on a real listener in this process, its queue
// holding nothing (capacity 0), so it is always full.

import { OTLP_HTTP_DEFAULTS } from '../../../src/receiver/otlp/config.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createExtractOptions } from '../../../src/extract/options.js';
import { ManualClock } from '../../../src/internal/clock.js';
import { createLogger } from '../../../src/internal/logger.js';
import { createRegistry } from '../../../src/metrics/registry.js';
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js';
import { createQueueStage } from '../../../src/pipeline/queue-stage.js';
import { ERRORS_PROCESSOR_DEFAULTS } from '../../../src/processor/errors/config.js';
import { createHttpListener, type HttpListener } from '../../../src/receiver/http-listener.js';
import { SENTRY_RECEIVER_DEFAULTS } from '../../../src/receiver/sentry/config.js';
import { createSentryReceiver, type SentryReceiver } from '../../../src/receiver/sentry/sentry-receiver.js';

let receiver: SentryReceiver;
let listener: HttpListener;
let url: string;
before(async () => {
  const registry = createRegistry({ defaultMetrics: false });
  const route = { options: createExtractOptions(ERRORS_PROCESSOR_DEFAULTS), consumer: { consume: () => {} } };
  const logger = createLogger('silent');
  const selfMetrics = createSelfMetrics(registry);
  receiver = createSentryReceiver({
    config: { type: 'sentry', id: 'sentry', ...SENTRY_RECEIVER_DEFAULTS },
    routes: { events: route, traces: route, logs: route },
    signal: 'traces',
    queue: createQueueStage({ capacity: 0, onFailure: () => {} }),
    selfMetrics,
    registry,
    clock: new ManualClock(),
    logger,
  });
  listener = createHttpListener({
    endpoint: '127.0.0.1:0',
    handler: receiver.handler,
    logger,
    shutdownTimeoutMs: 1000,
    name: 'test',
    listener: 'sentry.http',
    limits: OTLP_HTTP_DEFAULTS.limits,
    listenerMetrics: selfMetrics.listeners,
  });
  await receiver.start();
  await listener.start();
  url = `http://127.0.0.1:${listener.address().port}/api/1/store/?sentry_key=public`;
});
after(() => listener.shutdown());

const event = JSON.stringify({ event_id: 'd'.repeat(32), message: 'boom' });

describe('the sentry receiver when Faultline cannot take more', () => {
  it('answers a full pipeline queue with 429, Retry-After and X-Sentry-Rate-Limits for every category', async () => {
    const response = await fetch(url, { method: 'POST', body: event });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '1');
    assert.equal(response.headers.get('x-sentry-rate-limits'), '1::organization');
    assert.match(((await response.json()) as { detail: string }).detail, /pipeline queue is full/);
  });

  it('answers 429 while shutting down', async () => {
    await receiver.shutdown();
    const response = await fetch(url, { method: 'POST', body: event });
    assert.equal(response.status, 429);
    assert.match(((await response.json()) as { detail: string }).detail, /not accepting events now/);
  });
});
