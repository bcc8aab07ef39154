import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { PolisError } from '@polis/core';

/**
 * Directory handles for sync, the openat way: Node has no `openat`, so every name is looked up through
 * `/proc/self/fd/<held dir>/<name>`, one component at a time, with O_NOFOLLOW. A symlink in a volume (or
 * a directory swapped for one while we work) makes the open fail; it is never followed, so nothing sync
 * reads or writes can be outside the two volumes' data directories.
 */

export const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** `/proc/self/fd/<fd>[/<name>]`; `name` is one component. */
export function fdPath(fd: number, name?: string): string {
  if (name !== undefined && (name === '' || name === '.' || name === '..' || name.includes('/'))) {
    throw new PolisError('volume.invalid', `invalid path component ${JSON.stringify(name)}`);
  }
  return name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`;
}

/** The same path for a child process (mkfifo, mknod, setfattr): `/proc/<our pid>/fd/<fd>/<name>`. */
export function childFdPath(fd: number, name: string): string {
  return fdPath(fd, name).replace('/proc/self/', `/proc/${process.pid}/`);
}

/** A tree's root held open; `dir(rel)` opens a directory inside it one name at a time, never following a link. */
export class HeldTree {
  private constructor(readonly root: FileHandle) {}

  static async open(path: string): Promise<HeldTree> {
    return new HeldTree(await open(path, DIR_FLAGS));
  }

  get fd(): number {
    return this.root.fd;
  }

  /** Opens the directory at `rel` ('' is the root, then the root's own handle is not duplicated). */
  async dir(rel: string): Promise<FileHandle | undefined> {
    const parts = rel.split('/').filter(Boolean);
    if (parts.length === 0) return undefined;
    let current: FileHandle | undefined;
    try {
      for (const name of parts) {
        const next = await open(fdPath((current ?? this.root).fd, name), DIR_FLAGS);
        await current?.close();
        current = next;
      }
      return current;
    } catch (err) {
      await current?.close();
      throw err;
    }
  }

  /** Runs `fn` with the held parent directory of `rel` and its last name. */
  async inParent<T>(rel: string, fn: (dirFd: number, name: string) => Promise<T>): Promise<T> {
    const slash = rel.lastIndexOf('/');
    const parent = slash < 0 ? '' : rel.slice(0, slash);
    const name = rel.slice(slash + 1);
    const handle = await this.dir(parent);
    try {
      return await fn((handle ?? this.root).fd, name);
    } finally {
      await handle?.close();
    }
  }

  /** Runs `fn` with the directory at `rel` held open ('' is the root). */
  async inDir<T>(rel: string, fn: (dirFd: number) => Promise<T>): Promise<T> {
    const handle = await this.dir(rel);
    try {
      return await fn((handle ?? this.root).fd);
    } finally {
      await handle?.close();
    }
  }

  async close(): Promise<void> {
    await this.root.close().catch(() => undefined);
  }
}
