import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, ensureDir, proc } from '@polis/core';

const log = createLogger('runtime');

export type CgroupMode = 'v1' | 'v2' | 'hybrid';

export function cgroupMode(root = '/sys/fs/cgroup'): CgroupMode {
  if (existsSync(join(root, 'cgroup.controllers'))) return 'v2';
  if (existsSync(join(root, 'unified', 'cgroup.controllers'))) return 'hybrid';
  return 'v1';
}

/**
 * crun refuses to start on a hybrid host whose v2 hierarchy owns a controller ("cgroups in hybrid mode
 * not supported, drop all controllers from cgroupv2"). Mounting each such controller as a v1
 * hierarchy moves it out of v2, after which crun works; runc works either way.
 */
export async function prepareHybridCgroups(root = '/sys/fs/cgroup'): Promise<string[]> {
  if (cgroupMode(root) !== 'hybrid') return [];
  const controllers = readFileSync(join(root, 'unified', 'cgroup.controllers'), 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  const moved: string[] = [];
  const mounted = new Set(readdirSync(root));
  for (const c of controllers) {
    const target = join(root, c);
    if (mounted.has(c) && existsSync(join(target, 'tasks'))) continue;
    await ensureDir(target);
    await proc.run('mount', ['-t', 'cgroup', '-o', c, 'cgroup', target]);
    moved.push(c);
    log.info('mounted cgroup controller as v1 hierarchy so crun can run', { controller: c });
  }
  return moved;
}
