import type { IdMapping } from './oci/runtime-spec.js';

/**
 * A user namespace's uid and gid maps (`polisd --userns-remap`): container ids → host ids, the form OCI's
 * `linux.uidMappings`/`gidMappings` take. Containers created under a remapping daemon keep a copy in their
 * record, so they run with the same ids whatever the daemon is started with later.
 */
export interface IdMappings {
  uids: IdMapping[];
  gids: IdMapping[];
}

/** Host id an id without a mapping lands on: the kernel's overflow id, which shows as `nobody`. */
export const OVERFLOW_ID = 65534;

/** One `/etc/subuid` or `/etc/subgid` line: `name-or-id:start:count`. */
export interface SubordinateRange {
  owner: string;
  start: number;
  count: number;
}

/** Parses `/etc/subuid` or `/etc/subgid`; comments, blank and malformed lines are skipped as shadow-utils does. */
export function parseSubordinateIds(text: string): SubordinateRange[] {
  const out: SubordinateRange[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const [owner, start, count] = trimmed.split(':');
    if (!owner || !/^\d+$/.test(start ?? '') || !/^[1-9]\d*$/.test(count ?? '')) continue;
    out.push({ owner, start: Number(start), count: Number(count) });
  }
  return out;
}

/** The ranges of a user (by name or numeric id), laid end to end from container id 0, as dockerd does. */
export function mappingsFrom(ranges: SubordinateRange[], owners: string[]): IdMapping[] {
  const mine = ranges.filter((r) => owners.includes(r.owner)).sort((a, b) => a.start - b.start);
  const out: IdMapping[] = [];
  let next = 0;
  for (const r of mine) {
    out.push({ containerID: next, hostID: r.start, size: r.count });
    next += r.count;
  }
  return out;
}

/** The host id of a container id, or the overflow id when the maps leave it out. */
export function toHostId(id: number, maps: IdMapping[]): number {
  for (const m of maps) {
    if (id >= m.containerID && id < m.containerID + m.size) return m.hostID + (id - m.containerID);
  }
  return OVERFLOW_ID;
}

/** The container id of a host id (what `stat` inside shows), or the overflow id when no map covers it. */
export function toContainerId(hostId: number, maps: IdMapping[]): number {
  for (const m of maps) {
    if (hostId >= m.hostID && hostId < m.hostID + m.size) return m.containerID + (hostId - m.hostID);
  }
  return OVERFLOW_ID;
}

/** The host uid and gid that root in the container is. */
export function mappedRoot(mappings: IdMappings): { uid: number; gid: number } {
  return { uid: toHostId(0, mappings.uids), gid: toHostId(0, mappings.gids) };
}

/** `<uid>.<gid>` of the mapped root: the name of a mapping's directory on the data root, as dockerd's. */
export function mappingKey(mappings: IdMappings): string {
  const root = mappedRoot(mappings);
  return `${root.uid}.${root.gid}`;
}
