import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, readFile, readlink, stat, statfs, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { PolisError } from '@polis/core';

/**
 * Path resolution confined to a container's root, as if chrooted there (runc's securejoin, Docker's
 * chrooted archive code). Node has no `openat`, so each step goes through `/proc/self/fd/<dir fd>/<name>`:
 * the kernel starts from the directory we hold open and looks up one name, never a path the container can
 * re-point. Symlinks are read and resolved here, in the container's scope; `..` never leaves the root. A
 * directory swapped for a symlink between our look and our open makes the open fail (O_NOFOLLOW), not
 * escape: the class of Docker's CVE-2018-15664.
 */

/** A file system mounted into the container's tree (volumes, binds): later layered in by the caller. */
export interface ConfinedMount {
  /** Clean absolute path in the container. */
  destination: string;
  /** Host directory. */
  source: string;
  readonly: boolean;
}

const MAX_SYMLINKS = 40;
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** `/proc/self/fd/<fd>[/<name>]`: `name` is one path component, never `..` or containing `/`. */
export function fdPath(fd: number, name?: string): string {
  if (name !== undefined && (name === '' || name === '.' || name === '..' || name.includes('/'))) {
    throw new PolisError('archive.invalid', `invalid path component ${JSON.stringify(name)}`);
  }
  return name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`;
}

/** A directory held open, with its path in the container and whether writes there are refused. */
export interface HeldDir {
  fd: number;
  path: string;
  readonly: boolean;
  /**
   * The top of a kernel file system (proc, sysfs, cgroup, devpts, …) seen in a running container: shown
   * as an empty directory and never written, as Docker's copy, which sees the rootfs's empty `/proc`.
   */
  kernel?: boolean;
}

/** statfs magic numbers of the kernel's own file systems (linux/magic.h). */
const KERNEL_FS = new Set([
  0x9fa0, // proc
  0x62656572, // sysfs
  0x1cd1, // devpts
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0x19800202, // mqueue
  0x73636673, // securityfs
  0x64626720, // debugfs
  0x74726163, // tracefs
  0xcafe4a11, // bpf
  0x6165676c, // pstore
  0x62656570, // configfs
  0x65735543, // fusectl
  0x42494e4d, // binfmt_misc
  0xf97cff8c, // selinuxfs
  0x6e736673, // nsfs
  0xde5e81e4, // efivarfs
]);

/** Where a container path landed: its parent directory (held open) and its last name. */
export interface Resolved {
  parent: HeldDir;
  /** Last component; undefined when the path is the root (or a mount point's top) itself. */
  name: string | undefined;
  /** The directory itself when the path resolves to a directory we opened (the root, mount tops). */
  dir?: HeldDir;
  /** The resolved clean container path. */
  path: string;
  /** lstat of the entry; undefined when it does not exist. */
  stat: Stats | undefined;
}

/** Holds the directory fds a walk opens and closes them together. */
export class ConfinedRoot {
  // FileHandles, not bare fds: a dropped FileHandle is closed by the garbage collector.
  private readonly fds = new Map<number, FileHandle>();
  private rootDir: HeldDir | undefined;

  private constructor(
    private readonly rootReadonly: boolean,
    private readonly mounts: ConfinedMount[],
    /** The root is a running container's own view (`/proc/<pid>/root`): its mounts are there already. */
    private readonly processView = false,
  ) {}

  /** Opens `rootPath` (a host directory: the container's rootfs) with `mounts` layered over it. */
  static async open(
    rootPath: string,
    options: { readonly?: boolean; mounts?: ConfinedMount[] } = {},
  ): Promise<ConfinedRoot> {
    const root = new ConfinedRoot(options.readonly ?? false, options.mounts ?? []);
    root.rootDir = await root.hostDir(rootPath, '/', root.rootReadonly);
    return root;
  }

  /**
   * A running container's root as its processes see it (`openProcessRoot`), taken over by this root.
   * Its mount namespace supplies the mounts, and the kernel refuses writes to read-only ones (EROFS).
   */
  static fromProcessRoot(handle: FileHandle): ConfinedRoot {
    const root = new ConfinedRoot(false, [], true);
    root.fds.set(handle.fd, handle);
    root.rootDir = { fd: handle.fd, path: '/', readonly: false };
    return root;
  }

  get root(): HeldDir {
    if (!this.rootDir) throw new PolisError('internal', 'confined root is closed');
    return this.rootDir;
  }

  async close(): Promise<void> {
    const handles = [...this.fds.values()];
    this.fds.clear();
    this.rootDir = undefined;
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
  }

  /** Closes one directory opened by this root (a walk that no longer needs it). */
  async release(dir: HeldDir): Promise<void> {
    const handle = this.fds.get(dir.fd);
    if (dir === this.rootDir || !handle) return;
    this.fds.delete(dir.fd);
    await handle.close().catch(() => undefined);
  }

  /** A host directory: the rootfs, or a mount's source (a path the user chose, so a link there is theirs). */
  private async hostDir(path: string, containerPath: string, readonly: boolean): Promise<HeldDir> {
    const handle = await open(path, containerPath === '/' ? DIR_FLAGS : DIR_FLAGS & ~constants.O_NOFOLLOW);
    this.fds.set(handle.fd, handle);
    return { fd: handle.fd, path: containerPath, readonly };
  }

  /** Opens `name` in `parent` as a directory without following a symlink; a mount there wins. */
  async openChild(parent: HeldDir, name: string): Promise<HeldDir> {
    const path = posix.join(parent.path, name);
    const mount = this.mounts.find((m) => m.destination === path);
    if (mount) return this.hostDir(mount.source, path, mount.readonly);
    const handle = await open(fdPath(parent.fd, name), DIR_FLAGS);
    this.fds.set(handle.fd, handle);
    const kernel = this.processView && KERNEL_FS.has((await statfs(fdPath(handle.fd))).type);
    return { fd: handle.fd, path, readonly: parent.readonly, ...(kernel ? { kernel } : {}) };
  }

  /**
   * Whether `name` in `parent` is where something is mounted: a layered mount's top, or (in a running
   * container's view) an entry on another mount than its directory, such as a bound `/etc/hosts`. Such an
   * entry is never unlinked: from outside the container's mount namespace the kernel allows it and detaches
   * the mount, which would undo a read-only bind or a volume in the container.
   */
  async isMountPoint(parent: HeldDir, name: string): Promise<boolean> {
    if (this.mounts.some((m) => m.destination === posix.join(parent.path, name))) return true;
    const entry = await open(fdPath(parent.fd, name), O_PATH | constants.O_NOFOLLOW);
    try {
      return (await mountId(entry.fd)) !== (await mountId(parent.fd));
    } finally {
      await entry.close();
    }
  }

  /**
   * Resolves `path` (taken as absolute in the container) in the root's scope. Symlinks in the middle are
   * always followed inside the root; the last one only with `followLast`. A missing middle component is
   * `archive.path_not_found`, or made as a directory (mode 0755, owned by root) with `create`.
   */
  async resolve(path: string, options: { followLast?: boolean; create?: boolean } = {}): Promise<Resolved> {
    const opened: HeldDir[] = [];
    try {
      const resolved = await this.walk(path, options, opened);
      await Promise.all(
        opened.filter((d) => d !== resolved.parent && d !== resolved.dir).map((d) => this.release(d)),
      );
      return resolved;
    } catch (err) {
      await Promise.all(opened.map((d) => this.release(d)));
      throw err;
    }
  }

  /** Closes what `resolve` returned once its caller is done with it. */
  async done(resolved: Resolved): Promise<void> {
    await this.release(resolved.parent);
    if (resolved.dir) await this.release(resolved.dir);
  }

  private async walk(
    path: string,
    options: { followLast?: boolean; create?: boolean },
    opened: HeldDir[],
  ): Promise<Resolved> {
    const stack: HeldDir[] = [this.root];
    const floor = 1;
    const pending = components(path);
    let links = 0;
    while (pending.length > 0) {
      const name = pending.shift() as string;
      const top = stack[stack.length - 1] as HeldDir;
      if (name === '..') {
        if (stack.length > floor) stack.pop();
        continue;
      }
      if (top.kernel) throw notFound(posix.join(top.path, name));
      const last = pending.length === 0;
      const mountTop = this.mounts.some((m) => m.destination === posix.join(top.path, name));
      let st = mountTop ? undefined : await lstatOrUndefined(fdPath(top.fd, name));
      if (st?.isSymbolicLink() && (!last || options.followLast)) {
        if (++links > MAX_SYMLINKS) {
          throw new PolisError('archive.invalid', `too many levels of symbolic links: ${path}`, {
            context: { path },
          });
        }
        const target = await readlink(fdPath(top.fd, name)).catch((err: NodeJS.ErrnoException) => {
          // The link was swapped for something else between lstat and readlink (a container changing its
          // tree under the copy): look at the name again; the link count bounds how often.
          if (err.code === 'EINVAL' || err.code === 'ENOENT') return undefined;
          throw err;
        });
        if (target === undefined) {
          pending.unshift(name);
          continue;
        }
        if (target.startsWith('/')) stack.splice(floor);
        pending.unshift(...components(target));
        continue;
      }
      if (last) {
        if (mountTop) {
          const dir = await this.openChild(top, name);
          opened.push(dir);
          return { parent: top, name, dir, path: dir.path, stat: await stat(fdPath(dir.fd)) };
        }
        return { parent: top, name, path: posix.join(top.path, name), stat: st };
      }
      if (!mountTop && st === undefined) {
        if (!options.create) throw notFound(posix.join(top.path, name));
        await mkdirIfMissing(top, name);
        st = await lstat(fdPath(top.fd, name));
      }
      if (!mountTop && !st?.isDirectory()) {
        throw new PolisError('archive.not_a_directory', `not a directory: ${posix.join(top.path, name)}`, {
          context: { path: posix.join(top.path, name) },
        });
      }
      const child = await this.openChild(top, name);
      opened.push(child);
      stack.push(child);
    }
    const dir = stack[stack.length - 1] as HeldDir;
    const parent = stack.length > 1 ? (stack[stack.length - 2] as HeldDir) : dir;
    return { parent, name: undefined, dir, path: dir.path, stat: await stat(fdPath(dir.fd)) };
  }

  /** Holds open the directory `resolved` names (following nothing more); refuses a non-directory. */
  async openResolved(resolved: Resolved): Promise<HeldDir> {
    if (resolved.dir) return resolved.dir;
    if (!resolved.stat) throw notFound(resolved.path);
    if (!resolved.stat.isDirectory()) {
      throw new PolisError('archive.not_a_directory', 'extraction point is not a directory', {
        context: { path: resolved.path },
      });
    }
    return this.openChild(resolved.parent, resolved.name as string);
  }
}

/** Linux's O_PATH (not in Node's constants): a handle on the entry itself, opening no device or FIFO. */
const O_PATH = 0o10000000;

/** The id of the mount an fd is on (`/proc/self/fdinfo`). */
async function mountId(fd: number): Promise<string> {
  const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
  const id = /^mnt_id:\s*(\d+)$/m.exec(info)?.[1];
  if (id === undefined) throw new PolisError('internal', `no mnt_id in /proc/self/fdinfo/${fd}`);
  return id;
}

/** Path components, without empty and `.` ones; `..` kept for the walk to apply. */
export function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function mkdirIfMissing(dir: HeldDir, name: string): Promise<void> {
  if (dir.readonly) throw readOnly(posix.join(dir.path, name));
  try {
    await mkdir(fdPath(dir.fd, name), { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

export function notFound(path: string): PolisError {
  return new PolisError('archive.path_not_found', `no such file or directory: ${path}`, {
    context: { path },
  });
}

export function readOnly(path: string): PolisError {
  return new PolisError('archive.read_only', 'container rootfs is marked read-only', { context: { path } });
}
