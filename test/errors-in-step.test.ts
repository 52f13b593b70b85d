import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorCodes, type ErrorCode } from '../src/errors.js';
import { STATUS_BY_CODE } from '../src/receiver/status.js';

const page = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const rows = new Map(
  [...page.matchAll(/^\| `(FL_[A-Z_]+)` \| (yes|no) \| (\d{3}) \| ([A-Z_]+) \|/gm)].map((m) => [m[1], m.slice(2, 5)]),
);

it('documents exactly the error codes Faultline has', () => {
  assert.deepEqual([...rows.keys()].sort(), Object.keys(ErrorCodes).sort());
});

it('documents each code with the retryability, HTTP status and gRPC code the receivers answer', () => {
  for (const code of Object.keys(ErrorCodes) as ErrorCode[]) {
    const [retryable, http, grpc] = rows.get(code) ?? [];
    assert.equal(retryable, ErrorCodes[code].retryable ? 'yes' : 'no', `${code} retryable`);
    assert.equal(Number(http), STATUS_BY_CODE[code].http, `${code} HTTP status`);
    assert.equal(grpc, GrpcStatus[STATUS_BY_CODE[code].grpc], `${code} gRPC code`);
  }
});
