import { PolisError } from '@polis/core';

/** Architectures by the names Docker's profiles use in `includes.arches` (Go's GOARCH, 386 as x86). */
export type SeccompArch = 'amd64' | 'x86' | 'arm64' | 'arm' | 'ppc64le' | 's390x' | 'riscv64';

export const SECCOMP_ARCH_NAMES: Readonly<Record<SeccompArch, string>> = {
  amd64: 'SCMP_ARCH_X86_64',
  x86: 'SCMP_ARCH_X86',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  s390x: 'SCMP_ARCH_S390X',
  riscv64: 'SCMP_ARCH_RISCV64',
};

const fromNode: Readonly<Partial<Record<string, SeccompArch>>> = {
  x64: 'amd64',
  ia32: 'x86',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** The architecture this Node runs on, which is the containers' architecture. */
export function hostSeccompArch(nodeArch: string = process.arch): SeccompArch {
  const arch = fromNode[nodeArch];
  if (!arch) throw new PolisError('internal', `no seccomp support for architecture ${nodeArch}`);
  return arch;
}
