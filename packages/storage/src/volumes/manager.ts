import { chmodSync, chownSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { PolisError, createLogger, errnoCode, generateId, proc } from '@polis/core';
import { localMountOptions, mountArgs } from './local-options.js';
import { isMountPoint } from './mounts.js';
import { listFilter, pruneFilter } from './filters.js';
import { checkVolumeName } from './names.js';
import { VolumeStore } from './store.js';
import type {
  CreateVolumeRequest,
  PruneVolumesOptions,
  VolumeRecord,
  VolumeService,
  VolumeUsers,
} from './types.js';

const log = createLogger('storage');

/** The only driver so far: a plain directory under the data root. */
export const LOCAL_DRIVER = 'local';
/** The label Docker (23+) puts on anonymous volumes; `prune` without `all` removes those alone. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export interface VolumeManagerOptions {
  db: Database.Database;
  dataRoot: string;
  /**
   * Owner of each new volume's `_data`: the mapped root under `--userns-remap`, so remapped containers
   * can write (as dockerd); root when absent.
   */
  owner?: { uid: number; gid: number };
}

/**
 * Named and anonymous volumes of the `local` driver: `<data-root>/volumes/<name>/_data`. Which container
 * uses a volume is not counted here but read from the container records (`attachUsers`), so a crash can
 * never leave a count wrong. A directory is made before its record and removed after it, so a crash leaves
 * at worst a directory without a record, which `init` removes.
 */
export class VolumeManager implements VolumeService {
  readonly root: string;
  private readonly store: VolumeStore;
  private users: VolumeUsers = () => new Map();
  private readonly owner: { uid: number; gid: number } | undefined;

  constructor(options: VolumeManagerOptions) {
    this.root = join(options.dataRoot, 'volumes');
    this.owner = options.owner;
    this.store = new VolumeStore(options.db, (name) => join(this.root, name, '_data'));
  }

  /**
   * Makes the volumes directory (0701 as Docker's) and removes what a crash left half made or removed
   * (never through a mount still on its `_data`).
   */
  async init(): Promise<void> {
    mkdirSync(this.root, { recursive: true, mode: 0o701 });
    chmodSync(this.root, 0o701);
    const known = new Set(this.store.all().map((v) => v.name));
    for (const entry of readdirSync(this.root)) {
      if (known.has(entry)) continue;
      log.info('removing a volume directory without a record', { volume: entry });
      await this.removeData(join(this.root, entry));
    }
    for (const name of known) mkdirSync(join(this.root, name, '_data'), { recursive: true, mode: 0o755 });
  }

  attachUsers(users: VolumeUsers): void {
    this.users = users;
  }

  create(request: CreateVolumeRequest): { volume: VolumeRecord; created: boolean } {
    const driver = request.driver || LOCAL_DRIVER;
    const name = request.name || generateId();
    checkVolumeName(name);
    if (driver !== LOCAL_DRIVER) {
      throw new PolisError(
        'volume.driver_unknown',
        `create ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`,
        { context: { name, driver } },
      );
    }
    const existing = this.store.byName(name);
    if (existing) return { volume: existing, created: false };
    const options = request.driverOptions ?? {};
    localMountOptions(name, options);
    const anonymous = request.anonymous ?? !request.name;
    const labels = { ...request.labels, ...(anonymous ? { [ANONYMOUS_LABEL]: '' } : {}) };
    const volume: VolumeRecord = {
      name,
      driver,
      createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      mountpoint: join(this.root, name, '_data'),
      labels,
      options,
      anonymous,
    };
    mkdirSync(join(this.root, name), { recursive: true, mode: 0o701 });
    mkdirSync(volume.mountpoint, { recursive: true, mode: 0o755 });
    try {
      if (this.owner) chownSync(volume.mountpoint, this.owner.uid, this.owner.gid);
      this.store.insert(volume);
    } catch (err) {
      rmSync(join(this.root, name), { recursive: true, force: true });
      throw err;
    }
    return { volume, created: true };
  }

  find(name: string): VolumeRecord | undefined {
    return this.store.byName(name);
  }

  get(name: string): VolumeRecord {
    const v = this.store.byName(name);
    if (!v) {
      throw new PolisError('volume.not_found', `get ${name}: no such volume`, { context: { name } });
    }
    return v;
  }

  list(filters: Record<string, string[]> = {}): VolumeRecord[] {
    const used = this.users();
    return this.store.all().filter(listFilter(filters, (n) => (used.get(n) ?? []).length > 0));
  }

  usersOf(name: string): string[] {
    return (this.users().get(name) ?? []).map((u) => u.id);
  }

  async mount(name: string): Promise<void> {
    await this.serial(name, async () => {
      const volume = this.get(name);
      const opts = localMountOptions(name, volume.options);
      if (!opts || (await isMountPoint(volume.mountpoint))) return;
      try {
        await proc.run('mount', mountArgs(opts, volume.mountpoint));
      } catch (err) {
        throw new PolisError(
          'mount.failed',
          `error while mounting volume '${volume.mountpoint}': failed to mount local volume: ${(err as Error).message}`,
          { cause: err, context: { name } },
        );
      }
    });
  }

  async release(name: string): Promise<void> {
    await this.serial(name, async () => {
      const volume = this.store.byName(name);
      if (!volume || !localMountOptions(name, volume.options)) return;
      if ((this.users().get(name) ?? []).some((u) => u.running)) return;
      await unmount(volume.mountpoint);
    });
  }

  async reconcileMounts(): Promise<void> {
    for (const v of this.store.all()) {
      if (!localMountOptions(v.name, v.options)) continue;
      try {
        if ((this.users().get(v.name) ?? []).some((u) => u.running)) await this.mount(v.name);
        else await this.release(v.name);
      } catch (err) {
        log.warn('reconciling a volume mount', { volume: v.name, err });
      }
    }
  }

  /** Runs mount and unmount of one volume one at a time. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private async serial<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(name) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    this.chains.set(name, next);
    try {
      return await next;
    } finally {
      if (this.chains.get(name) === next) this.chains.delete(name);
    }
  }

  async remove(name: string, options: { force?: boolean } = {}): Promise<void> {
    const volume = this.store.byName(name);
    if (!volume) {
      if (options.force) return;
      throw new PolisError('volume.not_found', `get ${name}: no such volume`, { context: { name } });
    }
    this.refuseInUse(volume);
    // Unmounted before the data goes: a bind-mounted device must never be deleted through its volume.
    // (Only a volume with mount options waits here; a plain one goes at once, see `removeRecord`.)
    if (localMountOptions(name, volume.options)) await this.release(name);
    await this.removeData(this.removeRecord(volume));
  }

  private refuseInUse(volume: VolumeRecord): void {
    const users = this.usersOf(volume.name);
    if (users.length > 0) {
      throw new PolisError(
        'volume.in_use',
        `remove ${volume.name}: volume is in use - [${users.join(', ')}]`,
        {
          context: { name: volume.name, containers: users },
        },
      );
    }
  }

  /**
   * Refuses a volume in use (even forced, as Docker does); deletes the record and moves the directory
   * aside synchronously, so a create of the same name that comes before the deletion ends gets a fresh
   * directory rather than one being deleted under it. Returns the moved directory.
   */
  private removeRecord(volume: VolumeRecord): string {
    this.refuseInUse(volume);
    this.store.delete(volume.name);
    // A name no volume can have (they start with a letter or digit); `init` removes it after a crash.
    const trash = join(this.root, `.removing-${generateId().slice(0, 16)}`);
    try {
      renameSync(join(this.root, volume.name), trash);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    return trash;
  }

  /** Deletes a volume directory, unless something is still mounted on its `_data` (then it is left). */
  private async removeData(dir: string): Promise<void> {
    const data = join(dir, '_data');
    if (await isMountPoint(data)) await unmount(data).catch(() => undefined);
    if (await isMountPoint(data)) {
      log.warn('a volume directory still has a mount; left in place', { dir });
      return;
    }
    await rm(dir, { recursive: true, force: true });
  }

  async prune(options: PruneVolumesOptions = {}): Promise<{ deleted: string[]; reclaimed: number }> {
    const { matches, all } = pruneFilter(options.filters ?? {});
    const anonymousOnly = all === undefined ? options.anonymousOnly === true : !all;
    const used = this.users();
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const v of this.store.all()) {
      if ((used.get(v.name) ?? []).length > 0 || !matches(v)) continue;
      if (anonymousOnly && !v.anonymous) continue;
      if (localMountOptions(v.name, v.options)) await this.release(v.name);
      const size = await dirSize(join(this.root, v.name));
      let trash: string;
      try {
        trash = this.removeRecord(v);
      } catch (err) {
        // Taken by a container created meanwhile: it stays, as it would had prune run a moment earlier.
        if (err instanceof PolisError && err.code === 'volume.in_use') continue;
        throw err;
      }
      await this.removeData(trash);
      deleted.push(v.name);
      reclaimed += size;
    }
    return { deleted, reclaimed };
  }

  async isEmpty(name: string): Promise<boolean> {
    return (await readdir(this.get(name).mountpoint)).length === 0;
  }
}

/** Bytes of the regular files under `dir` (what prune reports as reclaimed). */
async function dirSize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (!e.isFile()) continue;
    try {
      total += (await lstat(join(e.parentPath, e.name))).size;
    } catch {
      // Gone meanwhile: nothing to count.
    }
  }
  return total;
}

async function unmount(path: string): Promise<void> {
  if (!(await isMountPoint(path))) return;
  await proc.run('umount', [path]);
}
