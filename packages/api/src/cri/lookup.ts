import { isPolisError, type ContainerRecord } from '@polis/core';
import type { ContainerService } from '@polis/runtime';
import { notFound } from './errors.js';
import { L, kindOf, type CriKind } from './labels.js';

/** The record of a sandbox or CRI container by id (or unique prefix, as crictl allows); NOT_FOUND otherwise. */
export function findCri(containers: ContainerService, id: string, kind: CriKind): ContainerRecord {
  const what = kind === 'sandbox' ? 'pod sandbox' : 'container';
  if (!id) throw notFound(what, id);
  let record: ContainerRecord;
  try {
    record = containers.get(id);
  } catch (err) {
    if (isPolisError(err) && err.kind === 'not_found') throw notFound(what, id);
    throw err;
  }
  if (kindOf(record) !== kind || record.name.replace(/^\//, '') === id) throw notFound(what, id);
  return record;
}

/** Like findCri, but undefined for an unknown id (Stop/Remove are idempotent in the CRI). */
export function maybeCri(
  containers: ContainerService,
  id: string,
  kind: CriKind,
): ContainerRecord | undefined {
  try {
    return findCri(containers, id, kind);
  } catch (err) {
    if (isPolisError(err) && err.kind === 'not_found') return undefined;
    throw err;
  }
}

export function criRecords(containers: ContainerService, kind: CriKind): ContainerRecord[] {
  return containers.list({ all: true, filters: { label: [`${L.kind}=${kind}`] } });
}

export function containersOf(containers: ContainerService, sandboxId: string): ContainerRecord[] {
  return containers.list({
    all: true,
    filters: { label: [`${L.kind}=container`, `${L.sandbox}=${sandboxId}`] },
  });
}
