import type { ContainerRecord } from '@polis/core';
import { L, jsonLabel, userLabels } from '../labels.js';
import { isoToNs } from '../time.js';

export interface PodMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export function sandboxState(record: ContainerRecord): 'SANDBOX_READY' | 'SANDBOX_NOTREADY' {
  return record.state.status === 'running' ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY';
}

/** The CRI's PodSandbox (ListPodSandbox) of a sandbox container. */
export function podSandbox(record: ContainerRecord): Record<string, unknown> {
  return {
    id: record.id,
    metadata: jsonLabel<PodMetadata>(record, L.metadata, { name: '', uid: '', namespace: '', attempt: 0 }),
    state: sandboxState(record),
    createdAt: isoToNs(record.created),
    labels: userLabels(record),
    annotations: jsonLabel<Record<string, string>>(record, L.annotations, {}),
    runtimeHandler: record.spec.basic.labels[L.handler] ?? '',
  };
}
