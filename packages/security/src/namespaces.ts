import type { Namespace, NamespaceType, SpecStep } from '@polis/core';
import { withLinux } from './spec-parts.js';

export interface NamespaceOptions {
  /** `none`: a fresh, empty network namespace; `host`: the host's; `{ path }`: join one (a bridge's). */
  network: 'none' | 'host' | { path: string };
  /** `host`: the host's; `{ path }`: another container's (`--pid container:X`). */
  pid?: 'host' | { path: string };
  /** `host`: the host's; `{ path }`: another container's (`--ipc container:X`). */
  ipc?: 'host' | { path: string };
  uts?: 'host';
  cgroup?: 'host';
}

const managed: readonly NamespaceType[] = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'];

/**
 * Sets the pid, network, ipc, uts, mount and cgroup namespaces. Sharing the host's means leaving the
 * namespace out of the list; another container's is joined by its path. Namespaces of other types (user, time) already in the spec are kept.
 */
export function namespacesStep(opts: NamespaceOptions): SpecStep {
  const list: Namespace[] = [];
  const join = (type: NamespaceType, mode: 'host' | { path: string } | undefined): void => {
    if (mode === undefined) list.push({ type });
    else if (mode !== 'host') list.push({ type, path: mode.path });
  };
  join('pid', opts.pid);
  if (opts.network === 'none') list.push({ type: 'network' });
  else if (opts.network !== 'host') list.push({ type: 'network', path: opts.network.path });
  join('ipc', opts.ipc);
  if (opts.uts !== 'host') list.push({ type: 'uts' });
  list.push({ type: 'mount' });
  if (opts.cgroup !== 'host') list.push({ type: 'cgroup' });
  return (spec) => {
    const others = (spec.linux?.namespaces ?? []).filter((ns) => !managed.includes(ns.type));
    return withLinux(spec, { namespaces: [...list.map((ns) => ({ ...ns })), ...others] });
  };
}
