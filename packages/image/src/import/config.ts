import {
  MediaType,
  type Descriptor,
  type ImageConfig,
  type ImageRunConfig,
  type Manifest,
  type Platform,
} from '@polis/core';

const NODE_TO_OCI_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** The host platform in OCI terms (Node's `x64` is OCI's `amd64`). */
export function hostPlatform(): Platform {
  return { os: 'linux', architecture: NODE_TO_OCI_ARCH[process.arch] ?? process.arch };
}

export interface ImportConfigInput {
  diffId: string;
  runConfig: ImageRunConfig;
  comment: string;
  platform: Platform;
  created: string;
}

/** The config of an imported single-layer image, shaped as Docker's `docker import` writes it. */
export function importConfig(input: ImportConfigInput): ImageConfig {
  const config: ImageConfig = {
    architecture: input.platform.architecture,
    os: input.platform.os,
    created: input.created,
    config: input.runConfig,
    rootfs: { type: 'layers', diff_ids: [input.diffId] },
    history: [{ created: input.created, comment: input.comment }],
  };
  if (input.platform.variant !== undefined) config.variant = input.platform.variant;
  return config;
}

export function ociManifest(config: Descriptor, layers: Descriptor[]): Manifest {
  return { schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers };
}
