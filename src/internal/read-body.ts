// Reading an HTTP request body under a size limit, then undoing its Content-Encoding. The limit
// applies to the bytes received and again to the decompressed bytes (zlib's maxOutputLength), so
// a 10 KB gzip bomb that would inflate to 1 GB is stopped at the limit without ever holding it.
// Decompression runs on libuv's thread pool, off the event loop. With a reservation (the pipeline
// queue's reserveBody), a body's bytes are counted against service.queue_bytes before they are read.

import { promisify } from 'node:util';
import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { decodeError, FaultlineError } from '../errors.js';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotliDecompress = promisify(zlib.brotliDecompress);

/**
 * Counts a body against a memory budget before its bytes are held (the pipeline queue's
 * reserveBody()); reserve() throws a retryable FaultlineError when none is left.
 */
export interface ReadReservation {
  reserve(bytes: number): void;
}

/**
 * Resolves with the raw body, or rejects with FL_TOO_LARGE as soon as it passes `limit`. With a
 * `reservation`, a body's Content-Length is reserved before any of it is read (a body without one:
 * each chunk as it arrives), and the read fails with what reserve() throws when there is no room.
 * A body with a Content-Length is copied into one buffer as it arrives: joining 4 MiB of chunks at
 * the end cost the event loop a copy per request, all at once when many bodies finish together.
 */
export function readRawBody(request: IncomingMessage, limit: number, reservation?: ReadReservation): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  const sized = request.headers['content-length'] !== undefined && Number.isSafeInteger(declared) && declared >= 0;
  if (sized && declared > limit) {
    return Promise.reject(tooLarge(limit, `Content-Length ${declared}`));
  }
  if (sized && reservation !== undefined) {
    try {
      reservation.reserve(declared);
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return new Promise((resolve, reject) => {
    const whole = sized ? Buffer.allocUnsafeSlow(declared) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    let failed = false;
    const fail = (error: unknown) => {
      failed = true;
      chunks.length = 0;
      reject(error);
    };
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      if (received + chunk.length > limit) return fail(tooLarge(limit, `more than ${limit} bytes`));
      // Node's parser hands over no more than the Content-Length.
      if (whole !== undefined) {
        chunk.copy(whole, received);
      } else {
        if (!sized && reservation !== undefined) {
          try {
            reservation.reserve(chunk.length);
          } catch (error) {
            return fail(error);
          }
        }
        chunks.push(chunk);
      }
      received += chunk.length;
    });
    request.on('end', () => {
      if (failed) return;
      if (whole !== undefined) resolve(whole);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    });
    request.on('error', (error) => {
      if (failed) return;
      fail(decodeError(`request body could not be read: ${error.message}`));
    });
    request.on('aborted', () => {
      if (failed) return;
      fail(decodeError('request body was cut short: the client closed the connection'));
    });
  });
}

/** Undoes Content-Encoding gzip, deflate (zlib or raw), br or identity; anything else is FL_UNSUPPORTED_ENCODING. */
export async function decodeContentEncoding(body: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  switch (name) {
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return decompress(() => gunzip(body, inflateOptions(body, limit)), 'gzip', limit);
    case 'deflate':
      // RFC 9110 says zlib-wrapped; some clients send raw deflate, so try both.
      return decompress(() => inflate(body, inflateOptions(body, limit)), 'deflate', limit).catch((error: unknown) => {
        if (error instanceof FaultlineError && error.code === 'FL_TOO_LARGE') throw error;
        return decompress(() => inflateRaw(body, inflateOptions(body, limit)), 'deflate', limit);
      });
    case 'br':
      return decompress(() => brotliDecompress(body, inflateOptions(body, limit)), 'br', limit);
    default:
      throw new FaultlineError(
        'FL_UNSUPPORTED_ENCODING',
        `Content-Encoding "${name}" is not supported; use gzip, deflate, br or identity`,
      );
  }
}

/** zlib's default output chunk; the smallest we use. */
const MIN_CHUNK_BYTES = 16 * 1024;
const MAX_CHUNK_BYTES = 1024 * 1024;

/**
 * Output chunks sized to the body (OTLP compresses about 3–10×): async zlib makes one thread-pool
 * round trip, callback and buffer per chunk, so the default 16 KiB cost a 360 KB request 23 of them.
 */
function inflateOptions(body: Buffer, limit: number): zlib.ZlibOptions {
  let chunkSize = MIN_CHUNK_BYTES;
  const expected = Math.min(body.length * 4, limit, MAX_CHUNK_BYTES);
  while (chunkSize < expected) chunkSize *= 2;
  return { maxOutputLength: limit, chunkSize };
}

async function decompress(run: () => Promise<Buffer>, name: string, limit: number): Promise<Buffer> {
  try {
    return await run();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw tooLarge(limit, `the ${name} body inflates to more than ${limit} bytes`);
    }
    throw decodeError(`${name} body is corrupt: ${(error as Error).message}`);
  }
}

function tooLarge(limit: number, what: string): FaultlineError {
  return new FaultlineError('FL_TOO_LARGE', `request body is too large: ${what}; the limit is ${limit} bytes (max_request_body_size)`);
}
