import { PolisError, type SpecStep } from '@polis/core';
import type { SecurityOptions } from './security-opts.js';
import { withProcess } from './spec-parts.js';

/** Which Linux security modules the host has enabled (the runtime reads /sys; this package does not). */
export interface HostLsm {
  apparmor: boolean;
  selinux: boolean;
}

/** The label a container gets on an SELinux host when `label=` changes only some parts of it. */
const DEFAULT_SELINUX_LABEL = ['system_u', 'system_r', 'container_t', 's0'] as const;
const LABEL_PARTS: Record<string, number> = { user: 0, role: 1, type: 2, level: 3 };

function refused(opt: string, module: string, noop: string): PolisError {
  return new PolisError(
    'request.invalid',
    `invalid --security-opt ${JSON.stringify(opt)}: ${module} is not enabled on this host, so the profile cannot be applied (only ${noop} is accepted, and does nothing)`,
    { context: { securityOpt: opt } },
  );
}

/** `label=user:U`, `role:R`, `type:T`, `level:L` over the default label; `disable` and `nested` set none. */
function selinuxLabel(labels: readonly string[]): string | undefined {
  const parts: string[] = [...DEFAULT_SELINUX_LABEL];
  let changed = false;
  for (const l of labels) {
    if (l === 'disable') return undefined;
    const at = l.indexOf(':');
    const index = at < 0 ? undefined : LABEL_PARTS[l.slice(0, at)];
    if (l === 'nested' || l.startsWith('filetype:')) continue;
    if (index === undefined) {
      throw new PolisError('request.invalid', `invalid --security-opt "label=${l}": bad label option`, {
        context: { securityOpt: `label=${l}` },
      });
    }
    parts[index] = l.slice(at + 1);
    changed = true;
  }
  return changed ? parts.join(':') : undefined;
}

/**
 * `apparmor=` and `label=`. On a host with the module, the profile or label goes into the process.
 * Without it, Docker silently drops them; Polis refuses them instead (a profile the user asked for would
 * not confine anything), except `apparmor=unconfined` and `label=disable`, which ask for no
 * confinement and so are what the container gets anyway.
 */
export function lsmStep(opts: Pick<SecurityOptions, 'apparmorProfile' | 'labels'>, lsm: HostLsm): SpecStep {
  const profile = opts.apparmorProfile;
  if (profile !== undefined && profile !== 'unconfined' && !lsm.apparmor)
    throw refused(`apparmor=${profile}`, 'AppArmor', 'apparmor=unconfined');
  const other = opts.labels.find((l) => l !== 'disable');
  if (other !== undefined && !lsm.selinux) throw refused(`label=${other}`, 'SELinux', 'label=disable');
  const label = lsm.selinux ? selinuxLabel(opts.labels) : undefined;
  const apparmor = lsm.apparmor && profile !== undefined && profile !== 'unconfined' ? profile : undefined;
  if (label === undefined && apparmor === undefined) return (spec) => spec;
  return (spec) =>
    withProcess(spec, {
      ...(apparmor ? { apparmorProfile: apparmor } : {}),
      ...(label ? { selinuxLabel: label } : {}),
    });
}
