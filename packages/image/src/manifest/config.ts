import type { ImageConfig } from '@polis/core';
import { PolisError } from '@polis/core';
import { isSha256Digest } from '../digest.js';

/** Docker caps configs at 8 MiB too; a larger one is refused before it is parsed. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** Parses an image config and checks what Polis relies on: os, architecture and the diff ids. */
export function parseImageConfig(data: Buffer): ImageConfig {
  if (data.length > MAX_CONFIG_BYTES) {
    throw invalid(`image config is ${data.length} bytes, more than the ${MAX_CONFIG_BYTES} allowed`);
  }
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw invalid(`image config is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('image config is not a JSON object');
  }
  const config = value as Partial<ImageConfig>;
  const rootfs = config.rootfs;
  if (!rootfs || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) {
    throw invalid('image config has no rootfs of type "layers" with diff_ids');
  }
  for (const id of rootfs.diff_ids as unknown[]) {
    if (typeof id !== 'string' || !isSha256Digest(id)) {
      throw invalid(`image config has an invalid diff id: ${JSON.stringify(id)}`);
    }
  }
  if (typeof config.os !== 'string' || typeof config.architecture !== 'string') {
    throw invalid('image config has no os or architecture');
  }
  return config as ImageConfig;
}

function invalid(message: string): PolisError {
  return new PolisError('image.manifest_invalid', message);
}
