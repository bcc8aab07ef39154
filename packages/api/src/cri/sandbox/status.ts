import type { ContainerRecord } from '@polis/core';
import type { CriDeps } from '../deps.js';
import { L, jsonLabel, matchesSelector, userLabels } from '../labels.js';
import { criRecords, findCri } from '../lookup.js';
import { nowNs } from '../time.js';
import { podSandbox } from './shapes.js';

/** The sandbox's address on its network ('' with host networking or while stopped). */
export function sandboxIp(deps: CriDeps, record: ContainerRecord): string {
  if (record.state.status !== 'running') return '';
  const endpoints = deps.networks?.endpointsOf(record.id) ?? [];
  return endpoints.find((e) => e.ipAddress)?.ipAddress ?? '';
}

export function podSandboxStatus(deps: CriDeps, req: { podSandboxId?: string; verbose?: boolean }): object {
  const record = findCri(deps.containers, req.podSandboxId ?? '', 'sandbox');
  const { createdAt, ...base } = podSandbox(record);
  const ns = jsonLabel<Record<string, string>>(record, L.namespaces, {});
  return {
    status: {
      ...base,
      createdAt,
      network: { ip: sandboxIp(deps, record), additionalIps: [] },
      linux: {
        namespaces: {
          options: { network: ns.network ?? 'POD', pid: ns.pid ?? 'CONTAINER', ipc: ns.ipc ?? 'POD' },
        },
      },
    },
    info: req.verbose ? { pid: String(record.state.pid), hostname: record.hostname } : {},
    containersStatuses: [],
    timestamp: nowNs(),
  };
}

interface SandboxFilter {
  id?: string;
  state?: { state?: string } | null;
  labelSelector?: Record<string, string>;
}

export function listPodSandbox(deps: CriDeps, req: { filter?: SandboxFilter | null }): object {
  const f = req.filter ?? {};
  const items = criRecords(deps.containers, 'sandbox')
    .filter((r) => !f.id || r.id.startsWith(f.id))
    .filter((r) => matchesSelector(userLabels(r), f.labelSelector))
    .map(podSandbox)
    .filter((p) => !f.state || p.state === f.state.state);
  return { items };
}
