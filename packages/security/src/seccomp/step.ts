import type { Spec, SpecStep } from '@polis/core';
import { hostSeccompArch, type SeccompArch } from './arch.js';
import { toOciSeccomp } from './convert.js';
import { DEFAULT_SECCOMP_PROFILE } from './default-syscalls.js';
import type { DockerSeccompProfile } from './docker-profile.js';
import { withLinux } from '../spec-parts.js';

export type SeccompChoice =
  { mode: 'default' } | { mode: 'unconfined' } | { mode: 'custom'; profile: DockerSeccompProfile };

export interface SeccompStepOptions {
  choice: SeccompChoice;
  /** Privileged containers run without seccomp, whatever the choice (as in Docker). */
  privileged: boolean;
  /** Defaults to the architecture Node runs on. */
  arch?: SeccompArch;
  /** Host kernel release, for rules with `minKernel`; see SeccompContext. */
  kernel?: string;
}

function withoutSeccomp(spec: Spec): Spec {
  if (!spec.linux?.seccomp) return spec;
  const { seccomp: _dropped, ...linux } = spec.linux;
  return { ...spec, linux };
}

/**
 * Sets `linux.seccomp`. Runs after the capabilities step: the profile's capability-conditional rules
 * are chosen from the spec's bounding set.
 */
export function seccompStep(opts: SeccompStepOptions): SpecStep {
  const arch = opts.arch ?? hostSeccompArch();
  return (spec) => {
    if (opts.privileged || opts.choice.mode === 'unconfined') return withoutSeccomp(spec);
    const profile = opts.choice.mode === 'custom' ? opts.choice.profile : DEFAULT_SECCOMP_PROFILE;
    const capabilities = spec.process?.capabilities?.bounding ?? [];
    return withLinux(spec, { seccomp: toOciSeccomp(profile, { capabilities, arch, kernel: opts.kernel }) });
  };
}
