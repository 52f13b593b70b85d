// One HTTP delivery reads at most MAX_RESPONSE_BYTES of the channel's answer and drops the rest
// with the connection: a receiver that answers with a huge body costs one bounded read, whatever
// the status.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/internal/clock.js';
import { MAX_RESPONSE_BYTES, postJson } from '../../src/notify/http-delivery.js';

const CHUNK = Buffer.alloc(64 * 1024, 'x');
/** A thousand times the bound: far more than socket buffers hold between the two ends. */
const HUGE_BYTES = 1000 * MAX_RESPONSE_BYTES;

describe("reading a channel's answer", () => {
  let server: http.Server;
  let url: string;
  /** Per request: whether the server got to write the whole huge body. */
  const written: Promise<'all' | 'cut off'>[] = [];

  before(async () => {
    server = http.createServer((request, response) => {
      request.resume();
      const status = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('status'));
      written.push(
        new Promise((resolve) => {
          response.on('finish', () => resolve('all'));
          response.on('close', () => resolve('cut off'));
        }),
      );
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(HUGE_BYTES) });
      let left = HUGE_BYTES;
      const pump = () => {
        while (left > 0 && !response.destroyed) {
          left -= CHUNK.length;
          if (left <= 0) response.end(CHUNK);
          else if (!response.write(CHUNK)) return;
        }
      };
      response.on('drain', pump);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = (status: number) =>
    postJson({ url: `${url}/?status=${status}`, body: '{}', signal: new AbortController().signal, secrets: [], clock: new ManualClock() });

  it('counts a 2xx with a huge body as delivered, and reads only the start of the body', async () => {
    assert.deepEqual(await post(200), { outcome: 'delivered' });
    assert.equal(await written.at(-1), 'cut off');
  });

  it('classifies a 503 with a huge body as retryable, and reads only the start of the body', async () => {
    assert.equal((await post(503)).outcome, 'retryable');
    assert.equal(await written.at(-1), 'cut off');
  });
});
