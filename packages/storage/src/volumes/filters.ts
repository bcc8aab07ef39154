import { PolisError } from '@polis/core';
import type { VolumeRecord } from './types.js';

const LIST_FILTERS = ['dangling', 'driver', 'label', 'name'];
const PRUNE_FILTERS = ['label', 'label!', 'all'];

/** `label=key` or `label=key=value` against a volume's labels. */
function hasLabel(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) return filter in labels;
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

function truthy(key: string, value: string): boolean {
  if (['true', '1'].includes(value.toLowerCase())) return true;
  if (['false', '0'].includes(value.toLowerCase())) return false;
  throw new PolisError('volume.invalid', `invalid filter '${key}=${value}'`);
}

/** Docker's volume list filters: dangling (no container uses it), driver, label, name (substring). */
export function listFilter(
  filters: Record<string, string[]>,
  inUse: (name: string) => boolean,
): (v: VolumeRecord) => boolean {
  for (const key of Object.keys(filters)) {
    if (!LIST_FILTERS.includes(key)) throw new PolisError('volume.invalid', `invalid filter '${key}'`);
  }
  const dangling = filters.dangling?.map((d) => truthy('dangling', d));
  return (v) =>
    (!dangling || dangling.some((d) => d === !inUse(v.name))) &&
    (!filters.driver || filters.driver.includes(v.driver)) &&
    (!filters.name || filters.name.some((n) => v.name.includes(n))) &&
    (!filters.label || filters.label.every((l) => hasLabel(v.labels, l)));
}

/** Docker's prune filters: label, label!, and all (API 1.42). Returns the label test and `all`. */
export function pruneFilter(filters: Record<string, string[]>): {
  matches: (v: VolumeRecord) => boolean;
  all: boolean | undefined;
} {
  for (const key of Object.keys(filters)) {
    if (!PRUNE_FILTERS.includes(key)) throw new PolisError('volume.invalid', `invalid filter '${key}'`);
  }
  const all = filters.all?.length ? filters.all.some((a) => truthy('all', a)) : undefined;
  return {
    all,
    matches: (v) =>
      (filters.label ?? []).every((l) => hasLabel(v.labels, l)) &&
      (filters['label!'] ?? []).every((l) => !hasLabel(v.labels, l)),
  };
}
