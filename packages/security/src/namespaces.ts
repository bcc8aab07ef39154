import type { Namespace, NamespaceType, SpecStep } from '@polis/core';
import { withLinux } from './spec-parts.js';

export interface NamespaceOptions {
  /** `none`: a fresh, empty network namespace; `host`: the host's; `{ path }`: join one (a bridge's). */
  network: 'none' | 'host' | { path: string };
  pid?: 'host';
  ipc?: 'host';
  uts?: 'host';
  cgroup?: 'host';
}

const managed: readonly NamespaceType[] = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'];

/**
 * Sets the pid, network, ipc, uts, mount and cgroup namespaces. Sharing the host's means leaving the
 * namespace out of the list. Namespaces of other types (user, time) already in the spec are kept.
 */
export function namespacesStep(opts: NamespaceOptions): SpecStep {
  const list: Namespace[] = [];
  if (opts.pid !== 'host') list.push({ type: 'pid' });
  if (opts.network === 'none') list.push({ type: 'network' });
  else if (opts.network !== 'host') list.push({ type: 'network', path: opts.network.path });
  if (opts.ipc !== 'host') list.push({ type: 'ipc' });
  if (opts.uts !== 'host') list.push({ type: 'uts' });
  list.push({ type: 'mount' });
  if (opts.cgroup !== 'host') list.push({ type: 'cgroup' });
  return (spec) => {
    const others = (spec.linux?.namespaces ?? []).filter((ns) => !managed.includes(ns.type));
    return withLinux(spec, { namespaces: [...list.map((ns) => ({ ...ns })), ...others] });
  };
}
