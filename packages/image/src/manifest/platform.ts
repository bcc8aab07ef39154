import { PolisError, type Descriptor, type Platform } from '@polis/core';

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

/** The variant an architecture has when none is named (containerd's normalisation). */
function defaultVariant(architecture: string): string | undefined {
  if (architecture === 'arm64') return 'v8';
  if (architecture === 'arm') return 'v7';
  return undefined;
}

export function formatPlatform(p: PlatformSpec): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function platformMatches(candidate: Partial<Platform> | undefined, wanted: PlatformSpec): boolean {
  if (!candidate) return false;
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  const have = candidate.variant ?? defaultVariant(wanted.architecture);
  const want = wanted.variant ?? defaultVariant(wanted.architecture);
  return want === undefined || have === want;
}

/** Picks the index entry for `wanted`; attestation entries (platform unknown/unknown) never match. */
export function selectPlatform<D extends Descriptor & { platform?: Platform }>(
  manifests: readonly D[],
  wanted: PlatformSpec,
): D {
  const found = manifests.find((m) => platformMatches(m.platform, wanted));
  if (!found) {
    const offered = manifests
      .map((m) => (m.platform ? formatPlatform(m.platform) : undefined))
      .filter((p): p is string => p !== undefined && p !== 'unknown/unknown');
    throw new PolisError(
      'image.platform_unavailable',
      `no matching manifest for ${formatPlatform(wanted)} in the manifest list entries` +
        (offered.length > 0 ? ` (available: ${offered.join(', ')})` : ''),
      { context: { platform: formatPlatform(wanted) } },
    );
  }
  return found;
}
