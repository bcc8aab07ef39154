import type { Process } from '@polis/core';
import type { ExecConfig } from '../types.js';
import { mergeEnv } from '../bundle/process.js';
import type { ResolvedUser } from '../bundle/user.js';

/**
 * The exec's OCI process: the container's own process (capabilities, rlimits, no-new-privileges,
 * env) with the exec's command, env, working directory, user and terminal.
 */
export function execProcess(
  container: Process,
  config: ExecConfig,
  user: ResolvedUser | undefined,
  allCapabilities: string[],
): Process {
  const caps = config.privileged
    ? {
        bounding: allCapabilities,
        effective: allCapabilities,
        permitted: allCapabilities,
        inheritable: [],
        ambient: [],
      }
    : container.capabilities;
  const env = mergeEnv(container.env ?? [], config.env);
  if (config.tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  return {
    ...container,
    terminal: config.tty,
    args: config.cmd,
    env,
    cwd: config.workingDir || container.cwd,
    ...(user
      ? {
          user: {
            uid: user.uid,
            gid: user.gid,
            ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}),
          },
        }
      : {}),
    ...(caps ? { capabilities: caps } : {}),
  };
}
