import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError, proc, type ContainerRecord } from '@polis/core';
import type { RuntimeContext } from './context.js';
import { containerCgroupDirs } from './host/container-cgroup.js';
import type { CgroupDirs } from './host/cgroup-paths.js';
import type { TopResult } from './types.js';

/** The pids in the container's cgroup (v2 unified, or the v1 `pids`/`memory` hierarchy). */
async function containerPids(dirs: CgroupDirs): Promise<Set<number>> {
  const candidates = [
    ...(dirs.unified && dirs.v2 ? [dirs.v2] : []),
    ...[dirs.v1.pids, dirs.v1.memory].filter((d): d is string => d !== undefined),
  ].map((dir) => join(dir, 'cgroup.procs'));
  for (const file of candidates) {
    try {
      const text = await readFile(file, 'utf8');
      return new Set(text.split('\n').filter(Boolean).map(Number));
    } catch {
      // try the next hierarchy
    }
  }
  return new Set();
}

/** Splits `ps` output into titles and rows; the last column (the command) may hold spaces. */
export function parsePs(output: string, pids: Set<number>): TopResult {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines[0] ?? '').trim().split(/\s+/);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw new PolisError('request.invalid', "Couldn't find PID field in ps output");
  const processes = lines.slice(1).flatMap((line) => {
    const fields = line.trim().split(/\s+/);
    const row = [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
    return pids.has(Number(row[pidIndex])) ? [row] : [];
  });
  return { Titles: titles, Processes: processes };
}

/** `top`: runs the host's `ps` (default `-ef`) and keeps the rows of the container's processes. */
export async function topContainer(
  ctx: RuntimeContext,
  record: ContainerRecord,
  psArgs = '-ef',
): Promise<TopResult> {
  if (record.state.status !== 'running' && record.state.status !== 'paused') {
    throw new PolisError('container.not_running', `Container ${record.id} is not running`, {
      context: { id: record.id },
    });
  }
  const args = psArgs.trim().split(/\s+/).filter(Boolean);
  let res;
  try {
    res = await proc.run('ps', args);
  } catch (err) {
    throw new PolisError('request.invalid', `Error running ps: ${(err as Error).message}`, { cause: err });
  }
  return parsePs(res.stdout, await containerPids(containerCgroupDirs(ctx, record)));
}
