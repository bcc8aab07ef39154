/** The pull benchmark's table, goals and "where time goes" as text. */
import type { Goal } from './report.js';
import type { Summary } from './stats.js';
import { layout } from './common.js';

export type PullKey = 'polis' | 'skopeo-umoci' | 'tar' | 'fetch' | 'podman' | 'docker';

export interface PullResult {
  key: PullKey;
  name: string;
  summary: Summary;
  /** The median of each sub-measurement over the rounds (names carry their units). */
  details: Record<string, number>;
}

/** What moved: the gzip blobs and the tar they hold. */
export interface PullVolume {
  gzipBytes: number;
  tarBytes: number;
}

const MIB = 1024 * 1024;
const fmt = (ms: number): string => ms.toFixed(1);
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
const perSecond = (bytes: number, ms: number): string => ((bytes / MIB / ms) * 1000).toFixed(1);

function byKey(results: readonly PullResult[], key: PullKey): Summary | undefined {
  return results.find((r) => r.key === key)?.summary;
}

/** Medians, spread, throughput (gzip in, tar out, per second of the median) and the two ratios. */
export function formatPullTable(results: readonly PullResult[], volume: PullVolume): string {
  const skopeo = byKey(results, 'skopeo-umoci');
  const tar = byKey(results, 'tar');
  const head = ['name', 'median ms', 'min ms', 'max ms', 'gzip MiB/s', 'tar MiB/s'];
  head.push('vs skopeo+umoci', 'vs tar alone');
  const rows = results.map(({ name, summary: s }) => [
    name,
    fmt(s.median),
    fmt(s.min),
    fmt(s.max),
    perSecond(volume.gzipBytes, s.median),
    perSecond(volume.tarBytes, s.median),
    skopeo ? ratio(s.median, skopeo.median) : '-',
    tar ? ratio(s.median, tar.median) : '-',
  ]);
  return layout([head, ...rows]);
}

/** Polis faster than podman's path (skopeo + umoci) and within 1.5× of GNU tar alone, on medians. */
export function evaluatePullGoals(results: readonly PullResult[]): Goal[] {
  const polis = byKey(results, 'polis');
  const skopeo = byKey(results, 'skopeo-umoci');
  const tar = byKey(results, 'tar');
  if (!polis || !skopeo || !tar) throw new Error('pull goals need the polis, skopeo-umoci and tar cases');
  const vsSkopeo = polis.median / skopeo.median;
  const vsTar = polis.median / tar.median;
  const goals: Goal[] = [
    {
      goal: "polis pull faster than skopeo copy + umoci unpack (podman's path)",
      met: vsSkopeo < 1,
      detail: `${fmt(polis.median)} ms / ${fmt(skopeo.median)} ms = ${vsSkopeo.toFixed(2)}×`,
    },
    {
      goal: 'polis pull within 1.5× of GNU tar alone on the same layers',
      met: vsTar <= 1.5,
      detail: `${fmt(polis.median)} ms / ${fmt(tar.median)} ms = ${vsTar.toFixed(2)}×`,
    },
  ];
  const engines = (['podman', 'docker'] as const).flatMap((key) => {
    const s = byKey(results, key);
    return s ? [{ key, s }] : [];
  });
  for (const { key, s } of engines) {
    goals.push({
      goal: `(context) polis pull faster than ${key} pull`,
      met: polis.median < s.median,
      detail: `${fmt(polis.median)} ms / ${fmt(s.median)} ms = ${ratio(polis.median, s.median)}`,
    });
  }
  return goals;
}

/** Each case's sub-measurements (medians), under its name. */
export function formatDetails(results: readonly PullResult[]): string {
  const rows = [['case / measurement', 'median']];
  for (const r of results) {
    const entries = Object.entries(r.details);
    if (entries.length === 0) continue;
    rows.push([r.name, '']);
    for (const [name, value] of entries) rows.push([`  ${name}`, fmt(value)]);
  }
  return layout(rows);
}
