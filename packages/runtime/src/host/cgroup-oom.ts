import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { controllerDir, type CgroupDirs } from './cgroup-paths.js';

/**
 * How many processes the kernel's OOM killer has killed in the cgroup: `oom_kill` in v1's
 * memory.oom_control (kernels 4.13+) or v2's memory.events. 0 when the file or the line is absent.
 */
export async function oomKillCount(dirs: CgroupDirs): Promise<number> {
  const at = controllerDir(dirs, 'memory');
  if (!at) return 0;
  const file = join(at.dir, at.v2 ? 'memory.events' : 'memory.oom_control');
  const text = await readFile(file, 'utf8').catch(() => '');
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}
