/** The security and namespace flags of run/create, and their part of HostConfig (docker's opts.go). */
import type { DeviceMapping, HostConfig } from '@polis/sdk/engine';
import { list, str, type FlagSpec, type Parsed } from '../flags.js';

export const SECURITY_FLAGS: FlagSpec[] = [
  { name: 'device', type: 'list', help: 'Add a host device to the container' },
  { name: 'device-cgroup-rule', type: 'list', help: 'Add a rule to the cgroup allowed devices list' },
  { name: 'group-add', type: 'list', help: 'Add additional groups to join' },
  { name: 'sysctl', type: 'list', meta: 'map', help: 'Sysctl options' },
  { name: 'ipc', type: 'string', help: 'IPC mode to use' },
  { name: 'pid', type: 'string', help: 'PID namespace to use' },
  { name: 'uts', type: 'string', help: 'UTS namespace to use' },
  { name: 'userns', type: 'string', help: 'User namespace to use' },
];

const MODE = /^[rwm]{1,3}$/;

/** docker's parseLinuxDevice: `HOST[:CONTAINER][:PERMISSIONS]`. */
export function parseDevice(text: string): DeviceMapping {
  const parts = text.split(':');
  if (parts.length > 3) throw new Error(`invalid device specification: ${text}`);
  const [src = '', second, third] = parts;
  let dst = '';
  let permissions = 'rwm';
  if (third !== undefined) {
    permissions = third;
    dst = second ?? '';
  } else if (second !== undefined) {
    if (MODE.test(second)) permissions = second;
    else dst = second;
  }
  if (!MODE.test(permissions)) throw new Error(`invalid device mode: ${permissions}`);
  if (!src.startsWith('/')) throw new Error(`bad format for path: ${src}`);
  if (dst !== '' && !dst.startsWith('/')) throw new Error(`bad format for path: ${dst}`);
  return { PathOnHost: src, PathInContainer: dst || src, CgroupPermissions: permissions };
}

export interface SecurityDeps {
  readFile: (path: string) => string;
}

/**
 * `--security-opt` as the docker CLI sends it: `seccomp=FILE` becomes `seccomp=<the file's JSON,
 * compacted>` (the daemon never reads client files), and `systempaths=unconfined` is not sent but
 * clears the masked and read-only paths.
 */
export function parseSecurityOpts(
  opts: string[],
  deps: SecurityDeps,
): { securityOpt: string[]; unconfinedPaths: boolean } {
  const out: string[] = [];
  let unconfinedPaths = false;
  for (const opt of opts) {
    let at = opt.indexOf('=');
    if (at < 0 && opt !== 'no-new-privileges') at = opt.indexOf(':');
    const key = at < 0 ? opt : opt.slice(0, at);
    const value = at < 0 ? '' : opt.slice(at + 1);
    if (value === '' && key !== 'no-new-privileges')
      throw new Error(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    if (key === 'systempaths' && value === 'unconfined') {
      unconfinedPaths = true;
      continue;
    }
    if (key === 'seccomp' && value !== 'unconfined' && value !== 'builtin') {
      let text: string;
      try {
        text = deps.readFile(value);
      } catch (err) {
        throw new Error(`opening seccomp profile (${value}) failed: ${(err as Error).message}`);
      }
      try {
        out.push(`seccomp=${JSON.stringify(JSON.parse(text))}`);
      } catch (err) {
        throw new Error(`compacting json for seccomp profile (${value}) failed: ${(err as Error).message}`);
      }
      continue;
    }
    out.push(opt);
  }
  return { securityOpt: out, unconfinedPaths };
}

function orUndefined<T>(xs: T[]): T[] | undefined {
  return xs.length ? xs : undefined;
}

/** The HostConfig fields of the security flags; unset flags stay unset. */
export function securityHostConfig(p: Parsed, deps: SecurityDeps): Partial<HostConfig> {
  const { securityOpt, unconfinedPaths } = parseSecurityOpts(list(p, 'security-opt'), deps);
  const sysctls: Record<string, string> = {};
  for (const s of list(p, 'sysctl')) {
    const at = s.indexOf('=');
    if (at <= 0) throw new Error(`invalid argument "${s}" for "--sysctl" flag: expected KEY=VALUE`);
    sysctls[s.slice(0, at)] = s.slice(at + 1);
  }
  return {
    SecurityOpt: orUndefined(securityOpt),
    ...(unconfinedPaths ? { MaskedPaths: [], ReadonlyPaths: [] } : {}),
    Devices: orUndefined(list(p, 'device').map(parseDevice)),
    DeviceCgroupRules: orUndefined(list(p, 'device-cgroup-rule')),
    GroupAdd: orUndefined(list(p, 'group-add')),
    Sysctls: Object.keys(sysctls).length ? sysctls : undefined,
    IpcMode: str(p, 'ipc'),
    PidMode: str(p, 'pid'),
    UTSMode: str(p, 'uts'),
    UsernsMode: str(p, 'userns'),
  };
}
