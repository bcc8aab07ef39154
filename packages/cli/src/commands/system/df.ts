import type { ContainerSummary, DiskUsageResponse, ImageSummary, Volume } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { bool, type CommandSpec, type Parsed } from '../../flags.js';
import { PS_HEADER, containerRow } from '../../format/container-rows.js';
import { IMAGES_HEADER, imageRow } from '../../format/image-rows.js';
import { familiarName, splitReference } from '../../format/reference.js';
import { render } from '../../format/render.js';
import { humanSize, since } from '../../format/units.js';
import { VOLUME_HEADER, volumeRow } from '../../format/volume-rows.js';

export const spec: CommandSpec = {
  name: 'system df',
  usage: '[OPTIONS]',
  summary: 'Show docker disk usage',
  maxArgs: 0,
  flags: [{ name: 'verbose', short: 'v', type: 'bool', help: 'Show detailed information on space usage' }],
};

// docker's formatter/disk_usage.go, format for format.
const SUMMARY_FORMAT = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
const SUMMARY_HEADER = {
  Type: 'TYPE',
  TotalCount: 'TOTAL',
  Active: 'ACTIVE',
  Size: 'SIZE',
  Reclaimable: 'RECLAIMABLE',
};
const IMAGE_FORMAT =
  'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}';
const CONTAINER_FORMAT =
  'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}';
const VOLUME_FORMAT = 'table {{.Name}}\t{{.Links}}\t{{.Size}}';
const BUILD_CACHE_FORMAT =
  'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}';
const BUILD_CACHE_HEADER = {
  ID: 'CACHE ID',
  CacheType: 'CACHE TYPE',
  Size: 'SIZE',
  CreatedSince: 'CREATED',
  LastUsedSince: 'LAST USED',
  UsageCount: 'USAGE',
  Shared: 'SHARED',
};

/** `12.3MB (45%)` as docker words a reclaimable amount of a total. */
function reclaimable(part: number, total: number): string {
  return total > 0 ? `${humanSize(part, 4)} (${Math.trunc((part * 100) / total)}%)` : humanSize(part, 4);
}

const isActive = (c: ContainerSummary): boolean =>
  ['running', 'paused', 'restarting'].some((s) => c.State.includes(s));

/** The four rows of `docker system df`, computed as the docker CLI computes them from the same answer. */
export function summaryRows(du: DiskUsageResponse): object[] {
  const images = du.Images ?? [];
  const containers = du.Containers ?? [];
  const volumes = du.Volumes ?? [];
  let usedByImages = 0;
  for (const i of images) {
    if (i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1) usedByImages += i.Size - i.SharedSize;
  }
  const rwTotal = containers.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const rwIdle = containers.filter((c) => !isActive(c)).reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const sized = volumes.filter((v) => (v.UsageData?.Size ?? -1) !== -1);
  const volTotal = sized.reduce((n, v) => n + (v.UsageData?.Size ?? 0), 0);
  const volIdle = sized
    .filter((v) => v.UsageData?.RefCount === 0)
    .reduce((n, v) => n + (v.UsageData?.Size ?? 0), 0);
  return [
    {
      Type: 'Images',
      TotalCount: String(images.length),
      Active: String(images.filter((i) => i.Containers > 0).length),
      Size: humanSize(du.LayersSize, 4),
      Reclaimable: reclaimable(du.LayersSize - usedByImages, du.LayersSize),
    },
    {
      Type: 'Containers',
      TotalCount: String(containers.length),
      Active: String(containers.filter(isActive).length),
      Size: humanSize(rwTotal, 4),
      Reclaimable: reclaimable(rwIdle, rwTotal),
    },
    {
      Type: 'Local Volumes',
      TotalCount: String(volumes.length),
      Active: String(volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length),
      Size: humanSize(volTotal, 4),
      Reclaimable: reclaimable(volIdle, volTotal),
    },
    buildCacheRow(du),
  ];
}

interface CacheRecord {
  ID?: string;
  Type?: string;
  Size?: number;
  InUse?: boolean;
  Shared?: boolean;
  CreatedAt?: string;
  LastUsedAt?: string;
  UsageCount?: number;
}

function cacheRecords(du: DiskUsageResponse): CacheRecord[] {
  return (du.BuildCache ?? []) as CacheRecord[];
}

/** docker's Build Cache summary row: what is not shared counts, what is not in use is reclaimable. */
function buildCacheRow(du: DiskUsageResponse): Record<string, string> {
  const records = cacheRecords(du);
  const size = records.filter((r) => !r.Shared).reduce((n, r) => n + (r.Size ?? 0), 0);
  const idle = records.filter((r) => !r.Shared && !r.InUse).reduce((n, r) => n + (r.Size ?? 0), 0);
  return {
    Type: 'Build Cache',
    TotalCount: String(records.length),
    Active: String(records.filter((r) => r.InUse).length),
    Size: humanSize(size, 4),
    Reclaimable: humanSize(idle, 4),
  };
}

/** docker's verbose image row: the first tag only, `<none>` for a dangling image. */
function verboseImageRow(i: ImageSummary, now: number): object {
  const first = (i.RepoTags ?? []).find((t) => t !== '<none>:<none>');
  const ref = first === undefined ? undefined : splitReference(first);
  const named = ref?.tag !== undefined;
  return imageRow(
    i,
    named ? familiarName(ref.name) : '<none>',
    named ? (ref.tag as string) : '<none>',
    '',
    true,
    now,
  );
}

export function verboseReport(du: DiskUsageResponse, now = Date.now()): string {
  const images = (du.Images ?? []).map((i) => verboseImageRow(i, now));
  // docker leaves the virtual size out of this table.
  const containers = (du.Containers ?? []).map((c) => containerRow({ ...c, SizeRootFs: 0 }, true, now));
  const volumes = (du.Volumes ?? []).map((v: Volume) => volumeRow(v));
  return (
    `Images space usage:\n\n${render(IMAGE_FORMAT, images, IMAGES_HEADER)}` +
    `\nContainers space usage:\n\n${render(CONTAINER_FORMAT, containers, PS_HEADER)}` +
    `\nLocal Volumes space usage:\n\n${render(VOLUME_FORMAT, volumes, VOLUME_HEADER)}` +
    `\nBuild cache usage: ${buildCacheRow(du).Size}\n\n${render(BUILD_CACHE_FORMAT, cacheRows(du, now), BUILD_CACHE_HEADER)}`
  );
}

function cacheRows(du: DiskUsageResponse, now: number): object[] {
  const ago = (t: string | undefined): string => (t ? since(Date.parse(t) / 1000, now) : '');
  return cacheRecords(du).map((r) => ({
    ID: (r.ID ?? '').slice(0, 12),
    CacheType: r.Type ?? 'regular',
    Size: humanSize(r.Size ?? 0, 4),
    CreatedSince: ago(r.CreatedAt),
    LastUsedSince: ago(r.LastUsedAt),
    UsageCount: String(r.UsageCount ?? 0),
    Shared: String(r.Shared ?? false),
  }));
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const du = await cli.client.df();
  cli.out(bool(p, 'verbose') ? verboseReport(du) : render(SUMMARY_FORMAT, summaryRows(du), SUMMARY_HEADER));
  return 0;
}
