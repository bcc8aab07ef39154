import { posix } from 'node:path';
import { PolisError, generateId, type ContainerSpec, type ImageRecord } from '@polis/core';
import type { VolumeUser } from '@polis/storage';
import type { ContainerStore } from '../store/container-store.js';
import { resolveContainer } from '../store/resolve.js';

const clean = (p: string): string => posix.normalize(p).replace(/\/+$/, '') || '/';

/**
 * Completes the storage group before the record is saved: the mounts of `--volumes-from` containers,
 * an anonymous volume for each of the image's `Volumes` nothing else covers, and a generated name for
 * every anonymous volume. What the user asked for wins over what is inherited.
 */
export function prepareVolumes(store: ContainerStore, spec: ContainerSpec, image: ImageRecord): void {
  const storage = spec.storage;
  const volumes = (storage.volumes ??= []);
  const taken = new Set([...storage.binds, ...storage.tmpfs, ...volumes].map((m) => clean(m.destination)));
  for (const entry of storage.volumesFrom ?? []) {
    const [reference = '', mode] = splitVolumesFrom(entry);
    const source = resolveContainer(store, reference);
    const readonly = (own: boolean): boolean => (mode === undefined ? own : mode === 'ro');
    for (const b of source.spec.storage.binds) {
      if (taken.has(clean(b.destination))) continue;
      taken.add(clean(b.destination));
      storage.binds.push({ ...b, readonly: readonly(b.readonly) });
    }
    for (const v of source.spec.storage.volumes ?? []) {
      if (taken.has(clean(v.destination))) continue;
      taken.add(clean(v.destination));
      // Shared, not owned: `rm -v` of this container must not take another container's volume.
      volumes.push({ ...v, readonly: readonly(v.readonly), anonymous: false, nocopy: true });
    }
  }
  for (const destination of Object.keys(image.config.config?.Volumes ?? {})) {
    if (taken.has(clean(destination))) continue;
    taken.add(clean(destination));
    volumes.push({ name: '', destination, readonly: false, nocopy: false, anonymous: true });
  }
  for (const v of volumes) if (!v.name) v.name = generateId();
}

/** `CONTAINER[:ro|rw]`, as Docker parses `--volumes-from`. */
function splitVolumesFrom(entry: string): [string, ('ro' | 'rw')?] {
  const i = entry.lastIndexOf(':');
  if (i < 0) return [entry];
  const mode = entry.slice(i + 1);
  if (mode !== 'ro' && mode !== 'rw') {
    throw new PolisError('request.invalid', `invalid mode for volumes-from: ${mode}`, {
      context: { entry },
    });
  }
  return [entry.slice(0, i), mode];
}

/** Which containers use each volume, from the container records (so no count can go stale). */
export function volumeUsers(store: ContainerStore, launching?: Set<string>): Map<string, VolumeUser[]> {
  const users = new Map<string, VolumeUser[]>();
  for (const c of store.all()) {
    const running =
      ['running', 'paused', 'restarting'].includes(c.state.status) || launching?.has(c.id) === true;
    for (const v of c.spec.storage.volumes ?? []) {
      const list = users.get(v.name) ?? [];
      if (!list.some((u) => u.id === c.id)) list.push({ id: c.id, running });
      users.set(v.name, list);
    }
  }
  return users;
}
