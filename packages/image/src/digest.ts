import { createHash } from 'node:crypto';
import { PolisError } from '@polis/core';

/** Hex lengths of the digest algorithms Docker accepts. */
const HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** Checks `algo:hex` the way go-digest does; returns a reason when invalid. */
export function digestProblem(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  if (colon <= 0) return 'invalid checksum digest format';
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = HEX_LENGTH[algorithm];
  if (length === undefined) return 'unsupported digest algorithm';
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) return 'invalid checksum digest format';
  return undefined;
}

export function isSha256Digest(value: string): boolean {
  return /^sha256:[a-f0-9]{64}$/.test(value);
}

/** The hex part of a `sha256:` digest; throws on anything else so it is safe to use in a path. */
export function digestHex(digest: string): string {
  if (!isSha256Digest(digest)) {
    throw new PolisError('image.reference_invalid', `invalid digest: ${digest}`, { context: { digest } });
  }
  return digest.slice('sha256:'.length);
}

export function sha256Digest(data: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
