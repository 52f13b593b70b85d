// Small HTTP client helpers for receiver tests, and a webhook receiver (loopback only).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeStatus } from './proto.js';

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  /** The body parsed as JSON (throws if it is not JSON). */
  json(): any;
}

export type Body = string | Uint8Array | ReadableStream<Uint8Array>;

export async function post(url: string, body: Body, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body: bytes, json: () => JSON.parse(bytes.toString('utf8')) };
}

/** Decodes a google.rpc.Status protobuf body with protobufjs over our proto/ definitions. */
export function decodeRpcStatus(bytes: Uint8Array): { code: number; message: string } {
  const status = decodeStatus(bytes);
  return { code: Number(status.code ?? 0), message: String(status.message ?? '') };
}

/** A webhook receiver on loopback that keeps every JSON body posted to it and answers 204. */
export async function startJsonReceiver(): Promise<{ readonly url: string; readonly bodies: Record<string, any>[]; close(): Promise<void> }> {
  const bodies: Record<string, any>[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
