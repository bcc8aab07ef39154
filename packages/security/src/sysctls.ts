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
}

/**
 * Refuses a parameter that is not the container's own: only the IPC and network namespaces' are
 * (`kernel.shm*`, `kernel.msg*`, `kernel.sem`, `fs.mqueue.*`, `net.*`), and `net.*` only with a network
 * namespace of its own. runc's words; Docker passes the same refusal on from runc.
 */
export function checkSysctls(sysctls: Record<string, string>, ctx: SysctlContext): void {
  for (const key of Object.keys(sysctls)) {
    const ipc = IPC_KEYS.has(key) || key.startsWith('fs.mqueue.');
    const net = key.startsWith('net.');
    if (!ipc && !net) {
      throw new PolisError(
        'request.invalid',
        `sysctl ${JSON.stringify(key)} is not in a separate kernel namespace`,
        {
          context: { sysctl: key },
        },
      );
    }
    if (net && ctx.hostNetwork) {
      throw new PolisError(
        'request.invalid',
        `sysctl ${JSON.stringify(key)} not allowed in host network namespace`,
        {
          context: { sysctl: key },
        },
      );
    }
  }
}

/** `linux.sysctl`: the runtime writes each under /proc/sys inside the container's namespaces. */
export function sysctlStep(sysctls: Record<string, string> | undefined, ctx: SysctlContext): SpecStep {
  const entries = { ...sysctls };
  checkSysctls(entries, ctx);
  if (Object.keys(entries).length === 0) return (spec) => spec;
  return (spec) => withLinux(spec, { sysctl: { ...spec.linux?.sysctl, ...entries } });
}
