import { randomBytes } from 'node:crypto';
import {
  chmod,
  lchown,
  lstat,
  mkdir,
  opendir,
  readdir,
  readlink,
  rename,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger, errnoCode, mappingKey, proc, toHostId, type IdMappings } from '@polis/core';
import { digestHex } from '../digest.js';
import { spaceError } from '../store/space.js';
import type { LayerStore } from './store.js';

const log = createLogger('image');
const TMP_PREFIX = '.tmp-';
const MAPPING_DIR = /^\d+\.\d+$/;

/**
 * Layers as a user namespace sees them: for each mapping, a copy of each layer with every owner moved to
 * its mapped host id, under `<dataRoot>/<uid>.<gid>/overlay/<chain-id hex>/diff` (dockerd's
 * `<uid>.<gid>` directory), with the same short `l/` links as the plain store. Made once per layer and
 * mapping at the first start that needs it, renamed into place when whole, and removed with the layer.
 */
export class ShiftedLayers {
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(
    private readonly dataRoot: string,
    private readonly layers: LayerStore,
  ) {}

  /** The overlay directory of a mapping: lowerdir entries are relative to it. */
  root(mappings: IdMappings): string {
    return join(this.dataRoot, mappingKey(mappings), 'overlay');
  }

  diffDir(chainId: string, mappings: IdMappings): string {
    return join(this.root(mappings), digestHex(chainId), 'diff');
  }

  /** Makes the shifted copy of an unpacked layer unless it is there already. */
  async ensure(chainId: string, mappings: IdMappings): Promise<void> {
    const key = `${mappingKey(mappings)}/${chainId}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const job = this.make(chainId, mappings).finally(() => this.inflight.delete(key));
    this.inflight.set(key, job);
    return job;
  }

  private async make(chainId: string, mappings: IdMappings): Promise<void> {
    const root = this.root(mappings);
    const dir = join(root, digestHex(chainId));
    if (!(await isDir(join(dir, 'diff')))) {
      // Overlay reads its lowers with the mounter's (root's) rights, so nobody else needs a way in: the
      // copies hold set-id files owned by the mapped ids, which no host user may reach (0700, as the
      // plain store's layer dirs).
      await mkdir(join(root, 'l'), { recursive: true, mode: 0o700 });
      const tmp = join(root, `${TMP_PREFIX}${randomBytes(8).toString('hex')}`);
      const started = Date.now();
      try {
        await mkdir(tmp, { mode: 0o700 });
        const source = this.layers.diffDir(chainId);
        await proc.run('cp', ['-a', '--', source, join(tmp, 'diff')]);
        await shiftTree(source, join(tmp, 'diff'), mappings);
        await rename(tmp, dir).catch(async (err: unknown) => {
          if (!(await isDir(join(dir, 'diff')))) throw err;
        });
        // The one-time cost of a remapped image's first use, as the benchmark reads it.
        log.info('layer shifted into a user namespace', {
          chainId,
          mapping: mappingKey(mappings),
          bytes: await this.layers.size(chainId),
          ms: Date.now() - started,
        });
      } catch (err) {
        throw await spaceError(root, err);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    }
    const link = join(root, this.layers.link(chainId));
    const target = `../${digestHex(chainId)}/diff`;
    if ((await readlink(link).catch(() => undefined)) !== target) {
      await rm(link, { force: true });
      await symlink(target, link);
    }
  }

  /** Removes every mapping's copy of a layer. */
  async remove(chainId: string): Promise<void> {
    for (const key of await this.mappingDirs()) {
      const root = join(this.dataRoot, key, 'overlay');
      await rm(join(root, this.layers.link(chainId)), { force: true });
      const aside = join(root, `${TMP_PREFIX}rm-${randomBytes(8).toString('hex')}`);
      try {
        await rename(join(root, digestHex(chainId)), aside);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') continue;
        throw err;
      }
      await rm(aside, { recursive: true, force: true });
    }
  }

  /** Removes half-made copies and copies of layers the plain store no longer has. */
  async sweep(): Promise<void> {
    const kept = new Set((await this.layers.list()).map(digestHex));
    for (const key of await this.mappingDirs()) {
      const root = join(this.dataRoot, key, 'overlay');
      for (const name of await readdir(root).catch(() => [] as string[])) {
        if (name.startsWith(TMP_PREFIX) || (/^[a-f0-9]{64}$/.test(name) && !kept.has(name))) {
          await rm(join(root, name), { recursive: true, force: true });
          await rm(join(root, 'l', name.slice(0, 26)), { force: true });
        }
      }
    }
  }

  private async mappingDirs(): Promise<string[]> {
    const names = await readdir(this.dataRoot).catch(() => [] as string[]);
    return names.filter((n) => MAPPING_DIR.test(n));
  }
}

/**
 * Gives each entry of `copy` the owner its twin in `original` has, moved through the maps. Owners are read
 * from the original, so an inode reached through several hard links is set to the same owner each time.
 * chown clears set-id bits; they are put back from the original's mode.
 */
export async function shiftTree(original: string, copy: string, mappings: IdMappings): Promise<void> {
  const shiftOne = async (from: string, to: string): Promise<boolean> => {
    const st = await lstat(from);
    await lchown(to, toHostId(st.uid, mappings.uids), toHostId(st.gid, mappings.gids));
    if (!st.isSymbolicLink() && st.mode & 0o7000) await chmod(to, st.mode & 0o7777);
    return st.isDirectory();
  };
  const walk = async (from: string, to: string): Promise<void> => {
    const dir = await opendir(from);
    for await (const entry of dir) {
      const f = join(from, entry.name);
      const t = join(to, entry.name);
      if (await shiftOne(f, t)) await walk(f, t);
    }
  };
  await shiftOne(original, copy);
  await walk(original, copy);
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}
