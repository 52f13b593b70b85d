// The reference verifier of X-Faultline-Signature, written from the README's description (not
// from the signer's code): HMAC-SHA256 over `${t}.` + the raw body with any active secret,
// compared in constant time, refusing timestamps older or newer than the tolerance.

import { createHmac, timingSafeEqual } from 'node:crypto';

export function verifySignature(
  header: string | undefined,
  rawBody: Buffer,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (!header) return false;
  const parts = header.split(',').map((part) => part.split('=', 2) as [string, string]);
  const t = parts.find(([key]) => key === 't')?.[1];
  if (t === undefined || !/^\d+$/.test(t)) return false;
  if (Math.abs(nowSeconds - Number(t)) > toleranceSeconds) return false;
  const signed = Buffer.concat([Buffer.from(`${t}.`, 'utf8'), rawBody]);
  const candidates = parts.filter(([key]) => key === 'v1').map(([, value]) => Buffer.from(value, 'hex'));
  return secrets.some((secret) => {
    const expected = createHmac('sha256', secret).update(signed).digest();
    return candidates.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  });
}
