/**
 * Where a process's cgroups are, from /proc/PID/cgroup: `ID:CONTROLLERS:PATH` lines, with `0::PATH` for
 * the v2 (unified) hierarchy. Reading them from the container's own process finds its cgroups whatever
 * parent or driver placed them.
 */
export interface CgroupPaths {
  /** v1 controller → path inside its hierarchy. */
  v1: Map<string, string>;
  /** The path in the v2 hierarchy. */
  unified?: string;
}

export function parseProcCgroup(text: string): CgroupPaths {
  const v1 = new Map<string, string>();
  let unified: string | undefined;
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (controllers === '') unified = path;
    else for (const c of controllers.split(',')) v1.set(c, path);
  }
  return unified === undefined ? { v1 } : { v1, unified };
}
