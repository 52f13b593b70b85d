// What Faultline answers to an export, in the format of the request: the Export*ServiceResponse
// (success, possibly partial) and google.rpc.Status (the body of an error). A minimal protobuf
// writer lives here because responses are the only protobuf Faultline writes.

import type { Signal } from './types.js';

/** The partial_success counter's name per signal (field 1 of Export*PartialSuccess). */
const REJECTED_FIELD: { readonly [signal in Signal]: string } = {
  traces: 'rejectedSpans',
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
};

/**
 * Export{Trace,Logs,Metrics}ServiceResponse. All accepted and nothing to say → empty bytes or
 * `{}`; otherwise partial_success { rejected_* = 1 (int64; a string in JSON), error_message = 2 }.
 */
export function encodeExportResponse(
  signal: Signal,
  rejected: number,
  errorMessage: string,
  format: 'protobuf' | 'json',
): Uint8Array | string {
  if (format === 'json') {
    if (rejected === 0 && errorMessage === '') return '{}';
    const partial: { [key: string]: string } = {};
    if (rejected !== 0) partial[REJECTED_FIELD[signal]] = String(rejected);
    if (errorMessage !== '') partial.errorMessage = errorMessage;
    return JSON.stringify({ partialSuccess: partial });
  }
  if (rejected === 0 && errorMessage === '') return new Uint8Array(0);
  const partial = new ProtoWriter();
  if (rejected !== 0) partial.int64(1, rejected);
  if (errorMessage !== '') partial.string(2, errorMessage);
  return new ProtoWriter().message(1, partial).finish();
}

/** google.rpc.Status { code = 1, message = 2 }; JSON always carries both. */
export function encodeStatus(grpcCode: number, message: string, format: 'protobuf' | 'json'): Uint8Array | string {
  if (format === 'json') return JSON.stringify({ code: grpcCode, message });
  const writer = new ProtoWriter();
  if (grpcCode !== 0) writer.int64(1, grpcCode);
  if (message !== '') writer.string(2, message);
  return writer.finish();
}

/** Writes fields in the order given; enough protobuf for small response messages. */
export class ProtoWriter {
  private readonly chunks: number[] = [];

  /** A varint field (int32/int64/uint/enum; negative values as ten-byte two's complement). */
  int64(field: number, value: number): this {
    this.varint(field << 3);
    this.varint64(BigInt.asUintN(64, BigInt(Math.trunc(value))));
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  bytes(field: number, value: Uint8Array): this {
    this.varint((field << 3) | 2);
    this.varint(value.length);
    for (const byte of value) this.chunks.push(byte);
    return this;
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }

  private varint(value: number): void {
    let v = value >>> 0;
    while (v >= 0x80) {
      this.chunks.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    this.chunks.push(v);
  }

  private varint64(value: bigint): void {
    let v = value;
    while (v >= 0x80n) {
      this.chunks.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.chunks.push(Number(v));
  }
}
