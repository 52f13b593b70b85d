// A real HTTP receiver on loopback that records what it got and answers from a script, so tests
// can make a channel answer 500, 429 with Retry-After, hang, or be down (closed) and come back.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The exact bytes received. */
  readonly body: Buffer;
  json(): any;
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface Receiver {
  readonly url: string;
  /** Requests answered with 2xx, in order. */
  readonly delivered: Received[];
  /** Every request, whatever the answer. */
  readonly requests: Received[];
  /** Decides the answer to the next requests; default 200. */
  answer: (request: Received, index: number) => Answer;
  /** Stops listening (connections refused) until up() is called. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(answer: Receiver['answer'] = () => ({ status: 200 })): Promise<Receiver> {
  const hanging = new Set<http.ServerResponse>();
  const delivered: Received[] = [];
  const requests: Received[] = [];
  let server: http.Server;
  let port = 0;

  const handler: http.RequestListener = (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const received: Received = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
        json: () => JSON.parse(body.toString('utf8')),
      };
      requests.push(received);
      const reply = receiver.answer(received, requests.length - 1);
      if (reply === 'hang') {
        hanging.add(response);
        return;
      }
      if (reply.status >= 200 && reply.status < 300) delivered.push(received);
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? '{}');
    });
  };

  async function listen(): Promise<void> {
    server = http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  }

  async function stop(): Promise<void> {
    for (const response of hanging) response.destroy();
    hanging.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  await listen();
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}`,
    delivered,
    requests,
    answer,
    down: stop,
    up: listen,
    close: stop,
  };
  return receiver;
}
