import { PolisError, type Descriptor } from '@polis/core';
import { sha256Digest } from '../digest.js';
import { MAX_CONFIG_BYTES } from '../manifest/config.js';
import type { RepositoryClient } from '../registry/client.js';
import { readBody } from '../registry/http.js';

/** Fetches a small blob (an image config) into memory, checking its size cap, size and digest. */
export async function fetchSmallBlob(
  client: RepositoryClient,
  descriptor: Descriptor,
  signal?: AbortSignal,
): Promise<Buffer> {
  if (descriptor.size > MAX_CONFIG_BYTES) {
    throw new PolisError(
      'image.manifest_invalid',
      `image config is ${descriptor.size} bytes, more than the ${MAX_CONFIG_BYTES} allowed`,
    );
  }
  const response = await client.getBlob(descriptor.digest, signal);
  // Read no further than the descriptor's size: more is wrong content, whatever the registry sends.
  const data = await readBody(response, descriptor.size);
  const digest = sha256Digest(data);
  if (digest !== descriptor.digest || data.length !== descriptor.size) {
    throw new PolisError(
      'image.digest_mismatch',
      `digest mismatch for ${descriptor.digest}: got ${digest} (${data.length} of ${descriptor.size} bytes)`,
      { context: { expected: descriptor.digest, actual: digest } },
    );
  }
  return data;
}
