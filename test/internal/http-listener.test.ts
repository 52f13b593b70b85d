// The HTTP listener's timeouts and keep-alive limits on a raw socket, as a slow or idle client
// meets them: a body that never finishes gets 408 and is counted (reason `read`); an idle
// keep-alive connection is closed after idle_timeout without being counted; the last request
// max_requests_per_connection allows is answered with `Connection: close`. Timeouts are shortened;
// nothing is asserted about how long anything took.

import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { HttpServerLimits } from '../../src/config/listener-limits.js';
import { createLimitedHttpServer } from '../../src/internal/http-listener.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { listenerMetrics } from '../../src/metrics/self-metrics.js';
import { sampleValue } from '../helpers/prom-text.js';

const LIMITS: HttpServerLimits = {
  maxConnections: 100,
  maxConnectionsPerClient: 100,
  readHeaderTimeoutMs: 300,
  readTimeoutMs: 600,
  idleTimeoutMs: 300,
  maxRequestsPerConnection: 2,
};

const registry = createRegistry({ defaultMetrics: false });
const { server } = createLimitedHttpServer({ listener: 'test', limits: LIMITS, metrics: listenerMetrics(registry) }, (request, response) => {
  request.resume();
  request.on('end', () => response.end('ok'));
});
let port = 0;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Writes `text` on a new connection and resolves with everything the server sent until it closed it. */
function exchange(text: string, then?: (socket: net.Socket) => void): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(text);
      then?.(socket);
    });
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('error', () => {});
    socket.on('close', () => resolve(received));
  });
}

const timedOut = async () => sampleValue(await registry.metrics(), 'faultline_listener_connections_timed_out_total', { listener: 'test', reason: 'read' }) ?? 0;
const request = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok';

describe('an HTTP listener', { timeout: 30_000 }, () => {
  it('answers 408 to a body that never finishes and counts it as a read timeout', async () => {
    const before = await timedOut();
    const reply = await exchange('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part of it');
    assert.match(reply, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.equal(await timedOut(), before + 1);
  });

  it('closes an idle keep-alive connection after idle_timeout, without counting it as timed out', async () => {
    const before = await timedOut();
    const reply = await exchange(request);
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    assert.doesNotMatch(reply, /Connection: close/i);
    assert.equal(await timedOut(), before);
  });

  it('answers the last request max_requests_per_connection allows with Connection: close, and closes', async () => {
    const reply = await exchange(request + request);
    const answers = reply.split('HTTP/1.1 ').slice(1);
    assert.equal(answers.length, 2);
    assert.doesNotMatch(answers[0]!, /Connection: close/i);
    assert.match(answers[1]!, /Connection: close/i);
  });
});
