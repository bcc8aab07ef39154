import { PolisError, type ImageRecord } from '@polis/core';
import type { PruneOptions } from '../types.js';

const KNOWN = new Set(['dangling', 'until', 'label', 'label!']);

/** The images `image prune` removes: unused, dangling unless `all`, and passing the filters. */
export function pruneCandidates(
  images: ImageRecord[],
  options: PruneOptions,
  now = Date.now(),
): ImageRecord[] {
  const filters = options.filters ?? {};
  for (const key of Object.keys(filters)) {
    if (!KNOWN.has(key)) throw new PolisError('request.invalid', `invalid filter '${key}'`);
  }
  // `dangling=false` is how the docker CLI asks for -a.
  const all = options.all === true || (filters.dangling ?? []).some((v) => v === 'false' || v === '0');
  const until = (filters.until ?? []).map((v) => untilTime(v, now));
  return images.filter((image) => {
    if (options.inUse(image.id)) return false;
    if (!all && image.repoTags.length > 0) return false;
    const created = Date.parse(image.created) || 0;
    if (until.some((t) => created >= t)) return false;
    const labels = image.config.config?.Labels ?? {};
    if (!(filters.label ?? []).every((l) => hasLabel(labels, l))) return false;
    return !(filters['label!'] ?? []).some((l) => hasLabel(labels, l));
  });
}

function hasLabel(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq === -1) return filter in labels;
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

/** Docker's `until`: a Unix time, an RFC 3339 date, or a Go duration back from now (`24h`, `90m`). */
export function untilTime(value: string, now: number): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
  if (duration) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[duration[2] as 'ms' | 's' | 'm' | 'h'];
    return now - Number(duration[1]) * unit;
  }
  const date = Date.parse(value);
  if (Number.isNaN(date)) throw new PolisError('request.invalid', `invalid filter 'until=${value}'`);
  return date;
}
