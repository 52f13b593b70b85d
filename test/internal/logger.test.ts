import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { createLogger } from '../../src/internal/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  return { lines, logger: createLogger('info', destination) };
}

it('writes one JSON object per line with level, time and message', () => {
  const { lines, logger } = capture();
  logger.error({ err: new TypeError('boom') }, 'export request failed');
  const line = JSON.parse(lines[0]);
  assert.equal(line.level, 'error');
  assert.equal(line.msg, 'export request failed');
  assert.equal(line.err.type, 'TypeError');
  assert.match(line.time, /^\d{4}-\d{2}-\d{2}T/);
});

it('never writes values under secret-looking keys, however deep', () => {
  const { lines, logger } = capture();
  const secrets = ['s3cr3t-password', 'Bearer eyJhbGciOi.abc.def', 'tok_live_123', 'session=abcdef'];
  logger.warn(
    {
      password: secrets[0],
      headers: { authorization: secrets[1], cookie: secrets[3] },
      channel: { webhook: { token: secrets[2] } },
    },
    'notification failed',
  );
  for (const secret of secrets) assert.ok(!lines.join('\n').includes(secret), `${secret} leaked`);
  assert.match(lines[0], /\[redacted\]/);
});
