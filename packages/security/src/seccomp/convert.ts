import { PolisError, type Seccomp, type SyscallRule } from '@polis/core';
import { SECCOMP_ARCH_NAMES, type SeccompArch } from './arch.js';
import type { DockerRuleFilter, DockerSeccompProfile, DockerSyscallRule } from './docker-profile.js';

export interface SeccompContext {
  /** The container's final bounding set: rules conditional on a capability follow it. */
  capabilities: readonly string[];
  arch: SeccompArch;
  /** Host kernel release (`6.1.0-18-amd64`); when absent, taken as newer than any `minKernel`. */
  kernel?: string;
}

function version(v: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

function kernelAtLeast(kernel: string | undefined, min: string): boolean {
  if (kernel === undefined) return true;
  const [a, b] = version(kernel);
  const [x, y] = version(min);
  return a > x || (a === x && b >= y);
}

function included(f: DockerRuleFilter | undefined, ctx: SeccompContext): boolean {
  if (!f) return true;
  if (f.arches?.length && !f.arches.includes(ctx.arch)) return false;
  if (f.caps?.some((c) => !ctx.capabilities.includes(c))) return false;
  return f.minKernel === undefined || kernelAtLeast(ctx.kernel, f.minKernel);
}

function excluded(f: DockerRuleFilter | undefined, ctx: SeccompContext): boolean {
  if (!f) return false;
  if (f.arches?.length && f.arches.includes(ctx.arch)) return true;
  if (f.caps?.some((c) => ctx.capabilities.includes(c))) return true;
  return f.minKernel !== undefined && kernelAtLeast(ctx.kernel, f.minKernel);
}

function toRule(rule: DockerSyscallRule): SyscallRule {
  if (rule.name !== undefined && rule.names?.length) {
    throw new PolisError('request.invalid', "seccomp rule has both 'name' and 'names'; use one of them");
  }
  const out: SyscallRule = {
    names: rule.name !== undefined ? [rule.name] : [...(rule.names ?? [])],
    action: rule.action,
  };
  if (rule.errnoRet !== undefined) out.errnoRet = rule.errnoRet;
  if (rule.args?.length) {
    out.args = rule.args.map((a) => ({
      index: a.index,
      value: a.value,
      op: a.op,
      ...(a.valueTwo !== undefined ? { valueTwo: a.valueTwo } : {}),
    }));
  }
  return out;
}

function architectures(profile: DockerSeccompProfile, arch: SeccompArch): string[] | undefined {
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new PolisError(
      'request.invalid',
      "seccomp profile has both 'architectures' and 'archMap'; use one",
    );
  }
  if (profile.architectures?.length) return [...profile.architectures];
  const native = SECCOMP_ARCH_NAMES[arch];
  const entry = profile.archMap?.find((m) => m.architecture === native);
  return entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : undefined;
}

/**
 * Converts a Docker-format profile to the OCI `linux.seccomp` object the way Docker does: the
 * native architecture's archMap entry, and only the rules whose includes/excludes hold for this
 * container's capabilities, architecture and kernel.
 */
export function toOciSeccomp(profile: DockerSeccompProfile, ctx: SeccompContext): Seccomp {
  const out: Seccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  const arches = architectures(profile, ctx.arch);
  if (arches) out.architectures = arches;
  if (profile.flags?.length) out.flags = [...profile.flags];
  out.syscalls = (profile.syscalls ?? [])
    .filter((r) => !excluded(r.excludes, ctx) && included(r.includes, ctx))
    .map(toRule);
  return out;
}
