// Password hashes for the admin endpoint's basic_auth users: `scrypt$N$r$p$<salt>$<hash>`, salt and
// hash in unpadded base64url. scrypt is built into Node (no native package to build, nothing to
// keep patched), memory-hard, and the string names its own parameters, so hashes made with other
// costs keep verifying. `faultline hash-password` (main.ts) prints one.
//
// Checking costs about 32 MiB and tens of milliseconds; it runs on libuv's thread pool, never on the
// event loop. A verifier remembers the SHA-256 of the last password each user proved, so a browser
// sending the same Basic header on every request pays once; wrong passwords always pay in full.

import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { parsePasswordHash, type PasswordHashParts } from '../config/admin-auth.js';

export const SCRYPT_DEFAULTS = { cost: 2 ** 15, blockSize: 8, parallelization: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

function derive(password: string, salt: Buffer, parts: Omit<PasswordHashParts, 'salt' | 'hash'>, length: number): Promise<Buffer> {
  const options: ScryptOptions = {
    N: parts.cost,
    r: parts.blockSize,
    p: parts.parallelization,
    // scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is exactly that at the defaults.
    maxmem: 256 * parts.cost * parts.blockSize,
  };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** A new hash of `password` with a random salt. */
export async function hashPassword(password: string, parts: Omit<PasswordHashParts, 'salt' | 'hash'> = SCRYPT_DEFAULTS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, parts, HASH_BYTES);
  return `scrypt$${parts.cost}$${parts.blockSize}$${parts.parallelization}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `password` matches `hash`; false for a malformed hash (config validation refuses those). */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parts = parsePasswordHash(hash);
  if (parts === undefined) return false;
  const expected = Buffer.from(parts.hash, 'base64url');
  const key = await derive(password, Buffer.from(parts.salt, 'base64url'), parts, expected.length);
  return timingSafeEqual(key, expected);
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Checks passwords against one stored hash, remembering the last one proved (as a SHA-256 digest). */
export function createPasswordVerifier(hash: string): (password: string) => Promise<boolean> {
  let proved: Buffer | undefined;
  return async (password) => {
    const given = sha256(password);
    if (proved !== undefined && timingSafeEqual(given, proved)) return true;
    const ok = await verifyPassword(password, hash);
    if (ok) proved = given;
    return ok;
  };
}
