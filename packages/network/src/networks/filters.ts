import { PolisError } from '@polis/core';
import type { NetworkFilters, NetworkRecord } from '../types.js';

const LIST_KEYS = ['driver', 'id', 'label', 'name', 'type', 'dangling', 'scope'];
const PRUNE_KEYS = ['until', 'label', 'label!'];

const invalid = (message: string): PolisError => new PolisError('network.invalid', message);

function checkKeys(filters: NetworkFilters, allowed: string[]): void {
  for (const key of Object.keys(filters)) {
    if (!allowed.includes(key)) throw invalid(`invalid filter '${key}'`);
  }
}

/** Docker's label filter: every `key` or `key=value` must match. */
function labelsMatch(labels: Record<string, string>, wanted: string[]): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return w in labels;
    return labels[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

function bool(key: string, value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid(`invalid filter '${key}=${value}'`);
}

/**
 * `network ls` filters: values of one key are alternatives, keys must all hold; labels must all
 * match. `inUse` says whether a network has containers (for `dangling`).
 */
export function filterNetworks(
  networks: readonly NetworkRecord[],
  filters: NetworkFilters,
  inUse: (id: string) => boolean,
): NetworkRecord[] {
  checkKeys(filters, LIST_KEYS);
  const any = (key: string, test: (v: string) => boolean): ((n: NetworkRecord) => boolean) => {
    const values = filters[key];
    return values && values.length > 0 ? () => values.some(test) : () => true;
  };
  for (const t of filters.type ?? []) {
    if (t !== 'custom' && t !== 'builtin') throw invalid(`invalid filter: 'type'='${t}'`);
  }
  const danglings = (filters.dangling ?? []).map((v) => bool('dangling', v));
  if (danglings.length > 1) throw invalid("got more than one value for filter key 'dangling'");
  return networks.filter(
    (n) =>
      any('driver', (v) => v === n.driver)(n) &&
      any('id', (v) => n.id.startsWith(v))(n) &&
      any('name', (v) => n.name.includes(v))(n) &&
      any('scope', (v) => v === 'local')(n) &&
      any('type', (v) => (v === 'builtin') === n.isDefault)(n) &&
      labelsMatch(n.labels, filters.label ?? []) &&
      (danglings.length === 0 || danglings[0] === (!n.isDefault && !inUse(n.id))),
  );
}

/** Parses `until`: a Unix timestamp, an RFC 3339 date, or a Go-style duration ago (`24h`, `1h30m`). */
export function parseUntil(value: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const duration = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (duration && value !== '') {
    const [, h = '0', m = '0', s = '0'] = duration;
    return now - ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000;
  }
  const date = Date.parse(value);
  if (Number.isNaN(date)) throw invalid(`invalid filter 'until=${value}'`);
  return date;
}

/** Custom networks without containers that the prune filters (`until`, `label`, `label!`) select. */
export function pruneCandidates(
  networks: readonly NetworkRecord[],
  filters: NetworkFilters,
  inUse: (id: string) => boolean,
): NetworkRecord[] {
  checkKeys(filters, PRUNE_KEYS);
  const until = (filters.until ?? []).map((v) => parseUntil(v));
  return networks.filter(
    (n) =>
      !n.isDefault &&
      !inUse(n.id) &&
      until.every((t) => Date.parse(n.created) < t) &&
      labelsMatch(n.labels, filters.label ?? []) &&
      (filters['label!'] ?? []).every((w) => !labelsMatch(n.labels, [w])),
  );
}
