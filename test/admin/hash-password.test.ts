// `faultline hash-password` and the hashes it makes: a password piped on stdin (never an argument)
// comes back as a self-describing scrypt hash that verifies, that config validation accepts, that is
// salted afresh each time, and that never contains the password.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createPasswordVerifier, verifyPassword } from '../../src/admin/password-hash.js';
import { parsePasswordHash } from '../../src/config/admin-auth.js';
import { MAIN } from '../helpers/faultline-process.js';

function hashPasswordCommand(input: string) {
  const run = spawnSync(process.execPath, [MAIN, 'hash-password'], { input, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('faultline hash-password', () => {
  it('prints a scrypt hash of the password on stdin that verifies, dropping one trailing newline', async () => {
    const run = hashPasswordCommand('correct horse battery staple\n');
    assert.equal(run.status, 0, run.stderr);
    const hash = run.stdout.trim();
    assert.match(hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.notEqual(parsePasswordHash(hash), undefined, 'config validation accepts it');
    assert.equal(await verifyPassword('correct horse battery staple', hash), true);
    assert.equal(await verifyPassword('correct horse battery staple\n', hash), false);
    assert.equal(await verifyPassword('Correct horse battery staple', hash), false);
    assert.ok(!run.stdout.includes('horse') && !run.stderr.includes('horse'));
  });

  it('salts each hash afresh, so one password gives two different hashes', () => {
    assert.notEqual(hashPasswordCommand('same').stdout, hashPasswordCommand('same').stdout);
  });

  it('exits 2 with a hint when no password is given', () => {
    const run = hashPasswordCommand('');
    assert.equal(run.status, 2);
    assert.match(run.stderr, /no password given: pipe it in/);
  });
});

describe('a password verifier', () => {
  it('keeps answering the same once it has proved a password, and refuses others', async () => {
    const run = hashPasswordCommand('s3cret-pass');
    const verify = createPasswordVerifier(run.stdout.trim());
    assert.deepEqual([await verify('s3cret-pass'), await verify('s3cret-pass'), await verify('s3cret-pasS'), await verify('s3cret-pass')], [true, true, false, true]);
  });
});
