import type { ContainerRecord } from '@polis/core';
import { L, jsonLabel, userLabels } from '../labels.js';
import { isoToNs } from '../time.js';

export type CriContainerState =
  'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export function containerState(record: ContainerRecord): CriContainerState {
  switch (record.state.status) {
    case 'created':
      return 'CONTAINER_CREATED';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'CONTAINER_RUNNING';
    case 'exited':
    case 'dead':
      return 'CONTAINER_EXITED';
    default:
      return 'CONTAINER_UNKNOWN';
  }
}

function imageSpec(record: ContainerRecord): { image: string } {
  return { image: record.spec.basic.labels[L.image] ?? record.imageRef };
}

/** The CRI's Container (ListContainers). */
export function criContainer(record: ContainerRecord): Record<string, unknown> {
  return {
    id: record.id,
    podSandboxId: record.spec.basic.labels[L.sandbox] ?? '',
    metadata: jsonLabel(record, L.metadata, { name: '', attempt: 0 }),
    image: imageSpec(record),
    imageRef: record.imageId,
    imageId: record.imageId,
    state: containerState(record),
    createdAt: isoToNs(record.created),
    labels: userLabels(record),
    annotations: jsonLabel<Record<string, string>>(record, L.annotations, {}),
  };
}

/** The CRI's ContainerStatus, with kubelet's reasons (Completed, Error, OOMKilled). */
export function criContainerStatus(record: ContainerRecord): Record<string, unknown> {
  const s = record.state;
  const state = containerState(record);
  let reason = '';
  if (state === 'CONTAINER_EXITED')
    reason = s.oomKilled ? 'OOMKilled' : s.exitCode === 0 ? 'Completed' : 'Error';
  return {
    id: record.id,
    metadata: jsonLabel(record, L.metadata, { name: '', attempt: 0 }),
    state,
    createdAt: isoToNs(record.created),
    startedAt: isoToNs(s.startedAt),
    finishedAt: state === 'CONTAINER_EXITED' ? isoToNs(s.finishedAt) : '0',
    exitCode: state === 'CONTAINER_EXITED' ? s.exitCode : 0,
    image: imageSpec(record),
    imageRef: record.imageId,
    imageId: record.imageId,
    reason,
    message: s.error,
    labels: userLabels(record),
    annotations: jsonLabel<Record<string, string>>(record, L.annotations, {}),
    mounts: record.spec.storage.binds.map((m) => ({
      containerPath: m.destination,
      hostPath: m.source,
      readonly: m.readonly,
    })),
    logPath: record.spec.basic.labels[L.logPath] ?? '',
  };
}
