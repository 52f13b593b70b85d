// Who a request to the admin endpoint is, from its Authorization header: a configured bearer token
// (`Bearer <token>`) or a basic_auth user (`Basic base64(user:password)`) and the access either has.
// Tokens and user names are compared as SHA-256 digests with timingSafeEqual, every configured one
// each time, so neither the time taken nor an early exit tells how much of a guess was right; an
// unknown user name costs a full password check too. Nothing here logs or echoes what it was given.

import { timingSafeEqual } from 'node:crypto';
import type { AdminAccess, AdminAuthConfig } from '../config/admin-auth.js';
import { createPasswordVerifier, sha256 } from './password-hash.js';

export interface AdminSession {
  /** How the caller proved who it is: `none` when the admin endpoint has no credentials configured. */
  readonly auth: 'none' | 'bearer' | 'basic';
  readonly access: AdminAccess;
}

/** A session; `missing` (no usable Authorization header) or `wrong` (it named no configured credential). */
export type Identified = AdminSession | 'missing' | 'wrong';

export interface Credentials {
  /** Whether any credential is configured; when not, everyone is `{ auth: 'none', access: 'write' }`. */
  readonly enabled: boolean;
  /** The WWW-Authenticate challenges for a 401: one per configured scheme. */
  readonly challenges: readonly string[];
  identify(authorization: string | undefined): Promise<Identified>;
}

const OPEN: AdminSession = { auth: 'none', access: 'write' };

export function createCredentials(auth: AdminAuthConfig): Credentials {
  const tokens = auth.bearerTokens.map((entry) => ({ digest: sha256(entry.token), access: entry.access }));
  const users = auth.users.map((user) => ({ digest: sha256(user.username), access: user.access, verify: createPasswordVerifier(user.passwordHash) }));
  const enabled = tokens.length > 0 || users.length > 0;
  const challenges = [
    ...(tokens.length > 0 ? ['Bearer realm="faultline"'] : []),
    ...(users.length > 0 ? ['Basic realm="faultline", charset="UTF-8"'] : []),
  ];

  function bearer(token: string): Identified {
    const given = sha256(token);
    let access: AdminAccess | undefined;
    for (const entry of tokens) if (timingSafeEqual(given, entry.digest) && access === undefined) access = entry.access;
    return access === undefined ? 'wrong' : { auth: 'bearer', access };
  }

  async function basic(encoded: string): Promise<Identified> {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0 || users.length === 0) return 'wrong';
    const given = sha256(decoded.slice(0, colon));
    const password = decoded.slice(colon + 1);
    let found: (typeof users)[number] | undefined;
    for (const user of users) if (timingSafeEqual(given, user.digest) && found === undefined) found = user;
    if (found === undefined) {
      // As slow as a known user: the first user's check runs and its answer is dropped.
      await users[0]!.verify(password);
      return 'wrong';
    }
    return (await found.verify(password)) ? { auth: 'basic', access: found.access } : 'wrong';
  }

  return {
    enabled,
    challenges,
    async identify(authorization) {
      if (!enabled) return OPEN;
      const match = /^(Bearer|Basic)[ \t]+([^\s]+)[ \t]*$/i.exec(authorization ?? '');
      if (match === null) return 'missing';
      return match[1]!.toLowerCase() === 'bearer' ? bearer(match[2]!) : basic(match[2]!);
    },
  };
}
