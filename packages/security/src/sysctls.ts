import { PolisError, type SpecStep } from '@polis/core';
import { withLinux } from './spec-parts.js';

/** IPC-namespaced parameters (runc's list): the container's own, so it may set them. */
const IPC_KEYS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

export interface SysctlContext {
  /** The container shares the host's network namespace: `net.*` would change the host. */
  hostNetwork: boolean;
  /** The container shares the host's (or no private) IPC namespace: the IPC keys would change it. */
  hostIpc?: boolean;
  /** The container shares the host's UTS namespace: `kernel.domainname` would change the host's. */
  hostUts?: boolean;
}

function refuse(key: string, why: string): PolisError {
  return new PolisError('request.invalid', `sysctl ${JSON.stringify(key)} ${why}`, {
    context: { sysctl: key },
  });
}

/**
 * Refuses a parameter that is not the container's own: only the IPC, network and UTS namespaces' are
 * (`kernel.shm*`, `kernel.msg*`, `kernel.sem`, `fs.mqueue.*`, `net.*`, `kernel.domainname`), each only
 * when the container has that namespace to itself. runc's rules and words (libcontainer's
 * validator); Docker passes the same refusal on from runc. `kernel.hostname` has the OCI field.
 */
export function checkSysctls(sysctls: Record<string, string>, ctx: SysctlContext): void {
  for (const key of Object.keys(sysctls)) {
    if (IPC_KEYS.has(key) || key.startsWith('fs.mqueue.')) {
      if (ctx.hostIpc) throw refuse(key, 'is not allowed in the hosts ipc namespace');
      continue;
    }
    if (key.startsWith('net.')) {
      if (ctx.hostNetwork) throw refuse(key, 'not allowed in host network namespace');
      continue;
    }
    if (!ctx.hostUts && key === 'kernel.domainname') continue;
    if (!ctx.hostUts && key === 'kernel.hostname')
      throw refuse(key, 'is not allowed as it conflicts with the OCI "hostname" field');
    throw refuse(key, 'is not in a separate kernel namespace');
  }
}

/** `linux.sysctl`: the runtime writes each under /proc/sys inside the container's namespaces. */
export function sysctlStep(sysctls: Record<string, string> | undefined, ctx: SysctlContext): SpecStep {
  const entries = { ...sysctls };
  checkSysctls(entries, ctx);
  if (Object.keys(entries).length === 0) return (spec) => spec;
  return (spec) => withLinux(spec, { sysctl: { ...spec.linux?.sysctl, ...entries } });
}
