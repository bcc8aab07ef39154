import { plainReader, type FileReader } from './files.js';
import type { NetCounters } from './types.js';

const TICK_NS = 1e7;

/**
 * The host's CPU time (`system_cpu_usage`, ns) and online CPUs from /proc/stat, as Docker computes them:
 * the first seven fields of the `cpu` line (user to steal), and the number of `cpuN` lines.
 */
export function parseProcStat(text: string): { systemCpuNs: number; onlineCpus: number } {
  let systemCpuNs = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      const fields = line.trim().split(/\s+/).slice(1, 8).map(Number);
      systemCpuNs = fields.reduce((a, b) => a + b, 0) * TICK_NS;
    } else if (/^cpu\d/.test(line)) onlineCpus++;
  }
  return { systemCpuNs, onlineCpus };
}

export interface HostCpu {
  systemCpuNs: number;
  onlineCpus: number;
}

export function readHostCpu(r: FileReader = plainReader, procRoot = '/proc'): HostCpu {
  return parseProcStat(r.text(`${procRoot}/stat`) ?? '');
}

/** /proc/PID/net/dev: the counters of every interface of the process's network namespace but `lo`. */
export function parseNetDev(text: string): Record<string, NetCounters> {
  const out: Record<string, NetCounters> = {};
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo') continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    out[name] = {
      rxBytes: f[0] ?? 0,
      rxPackets: f[1] ?? 0,
      rxErrors: f[2] ?? 0,
      rxDropped: f[3] ?? 0,
      txBytes: f[8] ?? 0,
      txPackets: f[9] ?? 0,
      txErrors: f[10] ?? 0,
      txDropped: f[11] ?? 0,
    };
  }
  return out;
}
