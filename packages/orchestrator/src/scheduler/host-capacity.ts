import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { PolisError } from '@polis/core';
import type { HostCapacity } from './types.js';

/** "0-3,6,8-9" (the kernel's cpu list format) → [0,1,2,3,6,8,9]. */
export function parseCpuList(text: string): number[] {
  const ids = new Set<number>();
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new PolisError('request.invalid', `invalid cpu list: '${text.trim()}'`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let id = from; id <= to; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** /proc/meminfo's MemTotal in bytes (the file says kB and means KiB). */
export function parseMemTotal(meminfo: string): number {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo);
  if (!m) throw new PolisError('request.invalid', 'no MemTotal line in /proc/meminfo');
  return Number(m[1]) * 1024;
}

export interface HostCapacityOptions {
  /** CPUs kept back for the system and polisd itself (fractions allowed); 0 by default. */
  headroomCpus?: number;
  /** Bytes kept back for the system and polisd itself; 0 by default. */
  headroomMemoryBytes?: number;
  /** For tests: read a file's text (default: the real /sys and /proc). */
  readText?: (path: string) => string;
}

/**
 * What this host offers to reservations, read once: online CPUs (the kernel's list, falling back to
 * node's count), MemTotal, less the headroom asked for. Exclusive cpusets are cut from the highest CPUs
 * when headroom is kept, so CPU 0 (where most interrupts land) stays with the system.
 */
export function hostCapacity(options: HostCapacityOptions = {}): HostCapacity {
  const read = options.readText ?? ((path: string) => readFileSync(path, 'utf8'));
  let cpuIds: number[];
  try {
    cpuIds = parseCpuList(read('/sys/devices/system/cpu/online'));
    if (cpuIds.length === 0) throw new Error('empty');
  } catch {
    cpuIds = Array.from({ length: availableParallelism() }, (_, i) => i);
  }
  const memTotal = parseMemTotal(read('/proc/meminfo'));
  const headroomCpus = Math.max(0, options.headroomCpus ?? 0);
  const headroomMemory = Math.max(0, options.headroomMemoryBytes ?? 0);
  const cpus = Math.max(0, cpuIds.length - headroomCpus);
  return {
    cpus,
    memoryBytes: Math.max(0, memTotal - headroomMemory),
    cpuIds: cpuIds.slice(cpuIds.length - Math.floor(cpus)),
  };
}
