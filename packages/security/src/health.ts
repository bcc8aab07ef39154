import { existsSync, readFileSync } from 'node:fs';
import { healthy, unhealthy, type HealthCheck, type HealthResult } from '@polis/core';

const NAMESPACES = ['user', 'pid', 'net', 'ipc', 'uts', 'mnt', 'cgroup'];
const CONTROLLERS = ['cpu', 'memory', 'pids'];

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The kernel has seccomp filters (`Seccomp:` in /proc/self/status, or /proc/sys/kernel/seccomp). */
export function seccompCheck(status = read('/proc/self/status')): HealthResult {
  const field = /^Seccomp:\s*(\d+)/m.exec(status ?? '');
  if (field || existsSync('/proc/sys/kernel/seccomp')) return healthy('seccomp filters available');
  return unhealthy(
    'the kernel has no seccomp (no Seccomp field in /proc/self/status)',
    'use a kernel built with CONFIG_SECCOMP_FILTER; containers run without their syscall filter',
  );
}

function namespacesCheck(): HealthResult {
  const missing = NAMESPACES.filter((ns) => !existsSync(`/proc/self/ns/${ns}`));
  if (missing.length === 0) return healthy(`namespaces ${NAMESPACES.join(', ')}`);
  return unhealthy(
    `namespaces missing: ${missing.join(', ')}`,
    'use a kernel with these namespaces enabled (CONFIG_*_NS)',
  );
}

/** The controllers Polis sets limits with: cgroup v2's root list, or v1's hierarchies in /proc/cgroups. */
export function cgroupControllers(
  v2 = read('/sys/fs/cgroup/cgroup.controllers'),
  v1 = read('/proc/cgroups'),
): HealthResult {
  const have = new Set<string>();
  for (const c of (v2 ?? '').split(/\s+/)) if (c) have.add(c);
  for (const line of (v1 ?? '').split('\n')) {
    const [name, , , enabled] = line.split('\t');
    if (name && !name.startsWith('#') && enabled === '1') have.add(name);
  }
  const missing = CONTROLLERS.filter((c) => !have.has(c));
  const mode = v2 !== undefined ? 'v2' : 'v1';
  if (missing.length === 0) return healthy(`cgroup ${mode} controllers ${CONTROLLERS.join(', ')}`);
  return unhealthy(
    `cgroup controllers missing: ${missing.join(', ')}`,
    "enable them (kernel command line, or the parent cgroup's cgroup.subtree_control); limits cannot be enforced",
  );
}

export function securityHealthChecks(): HealthCheck[] {
  return [
    { component: 'security', name: 'seccomp', run: () => seccompCheck() },
    { component: 'security', name: 'namespaces', run: namespacesCheck },
    { component: 'security', name: 'cgroup-controllers', run: () => cgroupControllers() },
  ];
}
