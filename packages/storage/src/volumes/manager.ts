import { EventEmitter } from 'node:events';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { PolisError, createLogger, errnoCode, generateId } from '@polis/core';
import { localDriverFor } from './drivers/select.js';
import { removeVolumeDir } from './drivers/remove-dir.js';
import { IMAGE_FILE, PARTIAL_IMAGE_FILE } from './drivers/image-files.js';
import type { VolumeDriver } from './drivers/types.js';
import { localVolumeKind } from './local-options.js';
import { detachStaleLoops } from './loops.js';
import { isMountPoint, unmountIfMounted } from './mounts.js';
import { listFilter, pruneFilter } from './filters.js';
import { checkVolumeName } from './names.js';
import { VolumeStore } from './store.js';
import { VolumeBackup } from '../backup/backup.js';
import { extractBackup } from '../backup/extract.js';
import { moveIntoImage } from '../backup/into-image.js';
import type { BackupManifest } from '../backup/manifest.js';
import type {
  Backup,
  CreateVolumeRequest,
  PruneVolumesOptions,
  VolumeEvent,
  VolumeRecord,
  VolumeService,
  VolumeUse,
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
 * never leave a count wrong: a volume that mounts something (`drivers/`) is mounted while one of its
 * users runs. A directory is made before its record and removed after it, so a crash leaves at worst a
 * directory without a record, which `init` removes.
 */
export class VolumeManager implements VolumeService {
  readonly root: string;
  private readonly store: VolumeStore;
  private users: VolumeUsers = () => new Map();
  private readonly events = new EventEmitter();
  /** Mounts taken by `hold`, by volume name. */
  private readonly holds = new Map<string, number>();
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
    // An image whose mkfs a crash cut short; the next mount makes it afresh.
    for (const name of known) await rm(join(this.root, name, PARTIAL_IMAGE_FILE), { force: true });
  }

  onEvent(listener: (event: VolumeEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  private emit(action: VolumeEvent['action'], v: VolumeRecord, extra: Record<string, string> = {}): void {
    const event: VolumeEvent = { action, name: v.name, attributes: { driver: v.driver, ...extra } };
    this.events.emit('event', event);
  }

  private driverOf(volume: VolumeRecord): VolumeDriver {
    return localDriverFor(volume);
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
    localVolumeKind(name, options);
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
    this.emit('create', volume);
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

  async mount(name: string, use?: VolumeUse): Promise<void> {
    await this.serial(name, async () => {
      const volume = this.get(name);
      try {
        await this.driverOf(volume).mount(volume);
      } catch (err) {
        throw new PolisError(
          'mount.failed',
          `error while mounting volume '${volume.mountpoint}': failed to mount local volume: ${(err as Error).message}`,
          { cause: err, context: { name } },
        );
      }
      if (use) {
        this.emit('mount', volume, {
          container: use.container,
          destination: use.destination,
          'read/write': String(!use.readonly),
          propagation: use.propagation ?? '',
        });
      }
    });
  }

  async release(name: string, container?: string): Promise<void> {
    await this.serial(name, async () => {
      const volume = this.store.byName(name);
      if (!volume) return;
      try {
        await this.unmountIfUnused(volume);
      } finally {
        if (container) this.emit('unmount', volume, { container });
      }
    });
  }

  /** Unmounts a volume no running container and no `hold` uses. */
  private async unmountIfUnused(volume: VolumeRecord): Promise<void> {
    const driver = this.driverOf(volume);
    if (!driver.mounts || (this.holds.get(volume.name) ?? 0) > 0) return;
    if ((this.users().get(volume.name) ?? []).some((u) => u.running)) return;
    await driver.unmount(volume);
  }

  async hold(name: string): Promise<() => Promise<void>> {
    this.holds.set(name, (this.holds.get(name) ?? 0) + 1);
    const drop = (): void => {
      const left = (this.holds.get(name) ?? 1) - 1;
      if (left > 0) this.holds.set(name, left);
      else this.holds.delete(name);
    };
    try {
      await this.mount(name);
    } catch (err) {
      drop();
      throw err;
    }
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      drop();
      await this.serial(name, async () => {
        const volume = this.store.byName(name);
        if (volume) await this.unmountIfUnused(volume);
      });
    };
  }

  /**
   * At daemon start, once the containers are recovered (after a kill -9 too): a volume is mounted
   * exactly while a container using it runs, loop devices no mount uses are detached, and a record
   * whose directory is gone is dropped, or, while a container still names it, given an empty one.
   */
  async reconcileMounts(): Promise<void> {
    const users = this.users();
    for (const v of this.store.all()) {
      const used = users.get(v.name) ?? [];
      if (!existsSync(join(this.root, v.name))) {
        log.warn('a volume record without its directory', { volume: v.name, used: used.length > 0 });
        if (used.length === 0) {
          this.store.delete(v.name);
          continue;
        }
        mkdirSync(v.mountpoint, { recursive: true, mode: 0o755 });
      }
      try {
        if (!this.driverOf(v).mounts) continue;
        if (used.some((u) => u.running)) await this.mount(v.name);
        else await this.release(v.name);
      } catch (err) {
        log.warn('reconciling a volume mount', { volume: v.name, err });
      }
    }
    await detachStaleLoops(this.root).catch((err) => log.warn('detaching stale loop devices', { err }));
  }

  /**
   * For component health: volumes that mount something (size-limited, tmpfs, device) but are not
   * mounted while a container using them runs, and ones mounted with no running user and no hold.
   * A volume whose mount or unmount is under way is skipped.
   */
  async mountProblems(): Promise<{ missing: string[]; stray: string[] }> {
    const users = this.users();
    const missing: string[] = [];
    const stray: string[] = [];
    for (const v of this.store.all()) {
      if (this.chains.has(v.name) || !this.driverOf(v).mounts) continue;
      const running = (users.get(v.name) ?? []).some((u) => u.running);
      const mounted = await isMountPoint(v.mountpoint);
      if (running && !mounted) missing.push(v.name);
      else if (!running && mounted && (this.holds.get(v.name) ?? 0) === 0) stray.push(v.name);
    }
    return { missing, stray };
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
    // (Only a volume that mounts waits here; a plain one goes at once, see `removeRecord`.)
    if (this.driverOf(volume).mounts) await this.release(name);
    await this.removeData(this.removeRecord(volume));
    this.emit('destroy', volume);
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
    await unmountIfMounted(data).catch(() => undefined);
    if (await isMountPoint(data)) {
      log.warn('a volume directory still has a mount; left in place', { dir });
      return;
    }
    await removeVolumeDir(dir);
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
      if (this.driverOf(v).mounts) await this.release(v.name);
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
      this.emit('destroy', v);
      deleted.push(v.name);
      reclaimed += size;
    }
    return { deleted, reclaimed };
  }

  /**
   * A zstd-compressed tar of the volume with its manifest and digest (`backup/manifest.ts`). A volume
   * whose driver mounts it (size-limited) is held mounted while it is read, else its data is hidden.
   */
  async backup(name: string): Promise<Backup> {
    const volume = this.get(name);
    refuseMountOptions(volume.name, volume.options, 'backup');
    if (!this.driverOf(volume).mounts) return VolumeBackup.start(volume, this.root);
    const release = async (): Promise<void> => {
      await free().catch((err: unknown) => log.warn('release after backup', { name, err }));
    };
    const free = await this.hold(name);
    let backup: VolumeBackup;
    try {
      backup = await VolumeBackup.start(volume, this.root);
    } catch (err) {
      await release();
      throw err;
    }
    return { pipeTo: (dest) => backup.pipeTo(dest).finally(release) };
  }

  /** Names of restores under way, so two restores of one name cannot both extract. */
  private readonly restoring = new Set<string>();

  /**
   * Recreates a volume from a backup. The data is extracted into `.restoring-<rand>` (a name no volume
   * can have, so a crash leaves a directory `init` removes) and checked whole before the directory is
   * renamed into place and the record inserted: a damaged backup leaves no volume and no directory.
   */
  async restore(source: Readable, options: { name?: string } = {}): Promise<VolumeRecord> {
    if (options.name !== undefined) {
      checkVolumeName(options.name);
      this.refuseExisting(options.name);
    }
    const staging = join(this.root, `.restoring-${generateId().slice(0, 16)}`);
    mkdirSync(staging, { mode: 0o701 });
    let reserved: string | undefined;
    try {
      mkdirSync(join(staging, '_data'), { mode: 0o755 });
      const claim = (m: BackupManifest): void => {
        const name = options.name ?? m.name;
        if (m.driver !== LOCAL_DRIVER) {
          throw new PolisError(
            'volume.backup_invalid',
            `restore ${name}: the backup is of driver ${m.driver}, which this daemon lacks`,
          );
        }
        refuseMountOptions(name, m.options, 'restore');
        this.refuseExisting(name);
        this.restoring.add(name);
        reserved = name;
      };
      const manifest = await extractBackup(source, join(staging, '_data'), claim);
      const name = reserved as string;
      const volume: VolumeRecord = {
        name,
        driver: LOCAL_DRIVER,
        createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        mountpoint: join(this.root, name, '_data'),
        labels: manifest.labels,
        options: manifest.options,
        anonymous: manifest.anonymous,
      };
      const driver = this.driverOf(volume);
      if (driver.mounts) await moveIntoImage(driver, staging, volume);
      if (this.store.byName(name)) throw exists(name);
      const target = join(this.root, name);
      try {
        renameSync(staging, target);
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'ENOTEMPTY' || code === 'EEXIST') throw exists(name);
        throw err;
      }
      try {
        this.store.insert(volume);
      } catch (err) {
        renameSync(target, staging);
        throw err;
      }
      this.emit('create', volume);
      return volume;
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    } finally {
      if (reserved !== undefined) this.restoring.delete(reserved);
    }
  }

  private refuseExisting(name: string): void {
    if (this.store.byName(name) || this.restoring.has(name)) throw exists(name);
  }

  async isEmpty(name: string): Promise<boolean> {
    return (await readdir(this.get(name).mountpoint)).length === 0;
  }
}

function exists(name: string): PolisError {
  return new PolisError('volume.exists', `restore ${name}: a volume named ${name} already exists`, {
    context: { name },
  });
}

/** A tmpfs or bind volume's data is not in its directory; backing those up is not supported yet. */
function refuseMountOptions(name: string, options: Record<string, string>, verb: string): void {
  if (Object.keys(options).length > 0 && localVolumeKind(name, options).kind === 'mount') {
    throw new PolisError(
      'volume.invalid',
      `${verb} ${name}: a volume with mount options (type=${options.type}) cannot be backed up or restored`,
      { context: { name } },
    );
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
      const st = await lstat(join(e.parentPath, e.name));
      // A size-limited volume's image is sparse: what it holds is what is allocated.
      total += e.name === IMAGE_FILE ? st.blocks * 512 : st.size;
    } catch {
      // Gone meanwhile: nothing to count.
    }
  }
  return total;
}
