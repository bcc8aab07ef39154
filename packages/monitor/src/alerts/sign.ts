import { createHmac } from 'node:crypto';

/** The header a webhook receiver checks: `sha256=` and the HMAC-SHA256 of the exact body, in hex (as GitHub's). */
export const SIGNATURE_HEADER = 'X-Polis-Signature';

export function signBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
