import type { ContainerRecord } from '@polis/core';

/**
 * Sandboxes and CRI containers are Polis containers; what the CRI needs to answer after a polisd restart
 * rides in their labels under this prefix, beside the pod's own labels (kubelet's `io.kubernetes.*`).
 */
export const CRI_PREFIX = 'io.polis.cri.';
export const L = {
  kind: `${CRI_PREFIX}kind`,
  sandbox: `${CRI_PREFIX}sandbox-id`,
  metadata: `${CRI_PREFIX}metadata`,
  annotations: `${CRI_PREFIX}annotations`,
  logDirectory: `${CRI_PREFIX}log-directory`,
  logPath: `${CRI_PREFIX}log-path`,
  image: `${CRI_PREFIX}image`,
  handler: `${CRI_PREFIX}runtime-handler`,
  namespaces: `${CRI_PREFIX}namespace-options`,
} as const;

/** An annotation on RunPodSandbox naming the Polis network the pod joins instead of the default bridge. */
export const NETWORK_ANNOTATION = 'io.polis.network';

export type CriKind = 'sandbox' | 'container';

export function kindOf(record: ContainerRecord): CriKind | undefined {
  const k = record.spec.basic.labels[L.kind];
  return k === 'sandbox' || k === 'container' ? k : undefined;
}

/** The labels the pod or container was given, without Polis's own. */
export function userLabels(record: ContainerRecord): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record.spec.basic.labels).filter(([k]) => !k.startsWith(CRI_PREFIX)),
  );
}

export function jsonLabel<T>(record: ContainerRecord, key: string, fallback: T): T {
  const raw = record.spec.basic.labels[key];
  if (raw === undefined) return fallback;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return fallback;
  }
}

/** Whether every key=value of SELECTOR is among LABELS (the CRI's label_selector). */
export function matchesSelector(
  labels: Record<string, string>,
  selector: Record<string, string> | undefined,
): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}
