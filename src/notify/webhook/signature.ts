// X-Faultline-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]. Each v1 is HMAC-SHA256 with one
// active secret over `${t}.` followed by the exact body bytes sent (never a re-serialisation), so a
// receiver verifies what it received and refuses replays by checking t. Two secrets during a
// rotation give two v1 entries; a receiver accepts the request when any one matches.

import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-faultline-signature';

export function signatureHeader(body: Uint8Array, secrets: readonly string[], unixSeconds: number): string {
  const prefix = Buffer.from(`${unixSeconds}.`, 'utf8');
  const signatures = secrets.map(
    (secret) => `v1=${createHmac('sha256', secret).update(prefix).update(body).digest('hex')}`,
  );
  return [`t=${unixSeconds}`, ...signatures].join(',');
}
