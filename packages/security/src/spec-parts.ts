import type { Linux, Process, Resources, Spec } from '@polis/core';

/**
 * Copy-on-write helpers for the parts of a spec the steps touch. A bare spec has no process yet, so
 * one is started with root and `/`: the runtime's own steps set the real user, args and cwd.
 */
export function withProcess(spec: Spec, patch: Partial<Process>): Spec {
  const base: Process = spec.process ?? { user: { uid: 0, gid: 0 }, args: [], cwd: '/' };
  return { ...spec, process: { ...base, ...patch } };
}

export function withLinux(spec: Spec, patch: Partial<Linux>): Spec {
  return { ...spec, linux: { ...spec.linux, ...patch } };
}

export function withResources(spec: Spec, patch: Partial<Resources>): Spec {
  return withLinux(spec, { resources: { ...spec.linux?.resources, ...patch } });
}
