// Small HTTP client helpers for receiver tests (loopback only).

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
