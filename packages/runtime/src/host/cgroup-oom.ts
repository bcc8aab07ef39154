import { closeSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { controllerDir, type CgroupDirs } from './cgroup-paths.js';

function oomFile(dirs: CgroupDirs): string | undefined {
  const at = controllerDir(dirs, 'memory');
  return at ? join(at.dir, at.v2 ? 'memory.events' : 'memory.oom_control') : undefined;
}

function parseOomKill(text: string): number {
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

/**
 * How many processes the kernel's OOM killer has killed in the cgroup: `oom_kill` in v1's
 * memory.oom_control (kernels 4.13+) or v2's memory.events. 0 when the file or the line is absent.
 */
export async function oomKillCount(dirs: CgroupDirs): Promise<number> {
  const file = oomFile(dirs);
  if (!file) return 0;
  return parseOomKill(await readFile(file, 'utf8').catch(() => ''));
}

const BUFFER = Buffer.allocUnsafe(4096);

/**
 * The same count for the watcher that asks every second for every container: each file stays open and
 * is read again at offset 0 (one pread, synchronous: the kernel makes it from memory), instead of an
 * open, stat, read and close through the thread pool per container per second.
 */
export class OomCounts {
  private readonly open = new Map<string, { file: string; fd: number }>();

  count(id: string, dirs: CgroupDirs): number {
    const file = oomFile(dirs);
    if (!file) return 0;
    for (let attempt = 0; attempt < 2; attempt++) {
      let entry = this.open.get(id);
      if (entry?.file !== file) {
        this.drop(id);
        try {
          entry = { file, fd: openSync(file, 'r') };
        } catch {
          return 0;
        }
        this.open.set(id, entry);
      }
      try {
        return parseOomKill(BUFFER.toString('latin1', 0, readSync(entry.fd, BUFFER, 0, BUFFER.length, 0)));
      } catch {
        // The cgroup was made anew (a restart): open the new one's file.
        this.drop(id);
      }
    }
    return 0;
  }

  drop(id: string): void {
    const entry = this.open.get(id);
    if (!entry) return;
    this.open.delete(id);
    try {
      closeSync(entry.fd);
    } catch {
      // already closed
    }
  }

  ids(): string[] {
    return [...this.open.keys()];
  }
}
