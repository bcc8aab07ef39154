import { PolisError, type ContainerRecord } from '@polis/core';
import type { ContainerStore } from './container-store.js';

/** Docker's lookup order: full id, exact name, then unique id prefix. */
export function resolveContainer(store: ContainerStore, reference: string): ContainerRecord {
  const ref = reference.startsWith('/') ? reference.slice(1) : reference;
  if (ref.length === 0) throw notFound(reference);
  const byId = store.byId(ref);
  if (byId) return byId;
  const nameId = store.idByName(ref);
  if (nameId) {
    const rec = store.byId(nameId);
    if (rec) return rec;
  }
  if (/^[0-9a-f]+$/.test(ref)) {
    const matches = store.ids().filter((id) => id.startsWith(ref));
    if (matches.length === 1) return store.byId(matches[0] as string) as ContainerRecord;
    if (matches.length > 1) {
      throw new PolisError('container.ambiguous', `multiple IDs found with provided prefix: ${ref}`, {
        context: { reference: ref },
      });
    }
  }
  throw notFound(reference);
}

export function notFound(reference: string): PolisError {
  return new PolisError('container.not_found', `No such container: ${reference}`, {
    context: { reference },
  });
}
