/** Row contexts of `polis stats`, computed as docker's CLI does (cli/command/container/stats_helpers.go). */
import type { ContainerStats } from '@polis/sdk/engine';
import { rowJson } from './render.js';
import { formatG, humanSize } from './units.js';
import { STRICT } from './values.js';

export const DEFAULT_STATS_FORMAT =
  'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

export const STATS_HEADER: Record<string, string> = {
  Container: 'CONTAINER',
  ID: 'CONTAINER ID',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** go-units `BytesSize`: binary units with Go's `%.4g` ("1.344MiB"). */
export function bytesSize(size: number): string {
  let i = 0;
  while (size >= 1024 && i < BINARY.length - 1) {
    size /= 1024;
    i++;
  }
  return `${formatG(size, 4)}${BINARY[i]}`;
}

/** The CPU share over the last interval, in % of one CPU (200% is two CPUs busy). */
export function cpuPercent(s: ContainerStats): number {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  const online = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/** Usage without the page cache that can be dropped, as docker shows it (v1 and v2 keys). */
export function memoryUsed(s: ContainerStats): number {
  const usage = s.memory_stats.usage ?? 0;
  const st = s.memory_stats.stats ?? {};
  const inactive = st.total_inactive_file ?? st.inactive_file;
  return inactive !== undefined && inactive < usage ? usage - inactive : usage;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export interface StatsTotals {
  cpu: number;
  mem: number;
  limit: number;
  memPercent: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
  pids: number;
}

export function totals(s: ContainerStats): StatsTotals {
  const mem = memoryUsed(s);
  const limit = s.memory_stats.limit ?? 0;
  const nets = Object.values(s.networks ?? {});
  const blk = s.blkio_stats.io_service_bytes_recursive ?? [];
  return {
    cpu: cpuPercent(s),
    mem,
    limit,
    memPercent: limit > 0 ? (mem / limit) * 100 : 0,
    netRx: sum(nets.map((n) => n.rx_bytes)),
    netTx: sum(nets.map((n) => n.tx_bytes)),
    blkRead: sum(blk.filter((e) => e.op.toLowerCase() === 'read').map((e) => e.value)),
    blkWrite: sum(blk.filter((e) => e.op.toLowerCase() === 'write').map((e) => e.value)),
    pids: s.pids_stats.current ?? 0,
  };
}

/** One row; CONTAINER is what the user named it by (or the id), as docker's `.Container`. */
export function statsRow(s: ContainerStats, container: string, noTrunc: boolean): object {
  const t = totals(s);
  const id = noTrunc ? s.id : s.id.slice(0, 12);
  const row = {
    [STRICT]: true,
    Container: container,
    ID: id,
    Name: s.name.replace(/^\//, ''),
    CPUPerc: `${t.cpu.toFixed(2)}%`,
    MemUsage: `${bytesSize(t.mem)} / ${bytesSize(t.limit)}`,
    MemPerc: `${t.memPercent.toFixed(2)}%`,
    NetIO: `${humanSize(t.netRx)} / ${humanSize(t.netTx)}`,
    BlockIO: `${humanSize(t.blkRead)} / ${humanSize(t.blkWrite)}`,
    PIDs: String(t.pids),
  };
  Object.defineProperty(row, 'toJSON', { value: () => rowJson(row) });
  return row;
}
