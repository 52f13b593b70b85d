import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultlineError } from '../../src/errors.js';
import { publicMessage, retryAfterOf } from '../../src/receiver/http-reply.js';

describe('the error reply every receiver shares', () => {
  it('asks a sender to retry after the seconds the error gives', () => {
    assert.equal(retryAfterOf(new FaultlineError('FL_OVERLOADED', 'full', { retryAfterSeconds: 3 })), 3);
  });

  it('asks a sender to retry after one second when a retryable error gives none', () => {
    assert.equal(retryAfterOf(new FaultlineError('FL_INTERNAL', 'boom')), 1);
  });

  it('gives no Retry-After for an error retrying cannot fix', () => {
    assert.equal(retryAfterOf(new FaultlineError('FL_DECODE', 'bad bytes')), undefined);
  });

  it('never shows the details of an internal error', () => {
    assert.equal(publicMessage(new FaultlineError('FL_INTERNAL', 'secret stack')), 'internal error');
    assert.equal(publicMessage(new FaultlineError('FL_TOO_LARGE', 'body: larger than 1 MiB')), 'body: larger than 1 MiB');
  });
});
