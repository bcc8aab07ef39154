import { PolisError, type ContainerRecord } from '@polis/core';
import type { ListOptions } from './types.js';

const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
const HEALTH = ['starting', 'healthy', 'unhealthy', 'none'];

function labelMatch(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) return filter in labels;
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

/** `ps --filter volume=`: a volume's name, or a mount point (bind or volume) in the container. */
function usesVolume(c: ContainerRecord, value: string): boolean {
  const { binds, volumes = [] } = c.spec.storage;
  return (
    volumes.some((v) => v.name === value || v.destination === value) ||
    binds.some((b) => b.source === value || b.destination === value)
  );
}

/** Docker's container list filters (values of one key are OR'ed, keys are AND'ed). */
export function filterContainers(records: ContainerRecord[], options: ListOptions = {}): ContainerRecord[] {
  const f = options.filters ?? {};
  for (const key of Object.keys(f)) {
    if (
      ![
        'id',
        'name',
        'status',
        'label',
        'ancestor',
        'exited',
        'before',
        'since',
        'volume',
        'health',
      ].includes(key)
    ) {
      throw new PolisError('request.invalid', `invalid filter '${key}'`);
    }
  }
  for (const s of f.status ?? []) {
    if (!STATUSES.includes(s)) throw new PolisError('request.invalid', `invalid filter 'status=${s}'`);
  }
  for (const h of f.health ?? []) {
    if (!HEALTH.includes(h))
      throw new PolisError('request.invalid', `Unrecognised filter value for health: ${h}`);
  }
  const anyFilter = Object.keys(f).length > 0;
  const before = f.before?.map((r) =>
    records.find((c) => c.id.startsWith(r) || c.name === r.replace(/^\//, '')),
  );
  const since = f.since?.map((r) =>
    records.find((c) => c.id.startsWith(r) || c.name === r.replace(/^\//, '')),
  );
  let out = records.filter((c) => {
    const status = c.state.status;
    if (
      !options.all &&
      !anyFilter &&
      status !== 'running' &&
      status !== 'paused' &&
      status !== 'restarting'
    ) {
      return false;
    }
    if (!options.all && anyFilter && !f.status && !f.exited && status !== 'running' && status !== 'paused') {
      return false;
    }
    if (f.id && !f.id.some((v) => c.id.startsWith(v))) return false;
    if (f.name && !f.name.some((v) => new RegExp(v.replace(/^\//, '')).test(c.name))) return false;
    if (f.status && !f.status.includes(status)) return false;
    if (f.label && !f.label.every((l) => labelMatch(c.spec.basic.labels, l))) return false;
    if (
      f.ancestor &&
      !f.ancestor.some((a) => a === c.imageRef || c.imageId.includes(a.replace(/^sha256:/, '')))
    ) {
      return false;
    }
    if (f.volume && !f.volume.some((v) => usesVolume(c, v))) return false;
    if (f.health && !f.health.includes(c.state.health?.status ?? 'none')) return false;
    if (f.exited && !(status === 'exited' && f.exited.includes(String(c.state.exitCode)))) return false;
    if (before && !before.every((b) => b && c.created < b.created)) return false;
    if (since && !since.every((s) => s && c.created > s.created)) return false;
    return true;
  });
  if (options.limit !== undefined && options.limit > 0) out = out.slice(0, options.limit);
  return out;
}
