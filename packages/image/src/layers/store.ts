import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { PolisError, errnoCode } from '@polis/core';
import { digestHex } from '../digest.js';
import { spaceError } from '../store/space.js';
import { unpackLayer } from './unpack.js';
import { convertWhiteouts } from './whiteout.js';

const TMP_PREFIX = '.tmp-';

/**
 * A layer blob (a tar, plain or compressed): a stream whose `done` rejects if its producer failed, or
 * a file on disk (a stored blob), which the unpack's processes read themselves.
 */
export type LayerSource = { stream: Readable; done: Promise<void> } | { path: string };
const LINK_LENGTH = 26;

/** One layer unpacked (or failed to): how long from its first byte to the rename, and its tar's size. */
export interface LayerUnpacked {
  seconds: number;
  /** The uncompressed tar's size (0 when the unpack failed before it was known). */
  bytes: number;
  ok: boolean;
}

/**
 * Unpacked layers under `<dataRoot>/overlay/<chain-id hex>/diff`, each unpacked once and shared
 * read-only. Like Docker's overlay2, `overlay/l/<short>` links to each diff dir so a mount's lowerdir
 * option (limited to one page) stays short when given relative to `overlay/`.
 */
export class LayerStore {
  readonly root: string;
  private readonly inflight = new Map<string, Promise<void>>();

  /** `onUnpacked` is told of every unpack: the daemon's metrics use it, so this package needs no monitor. */
  constructor(
    dataRoot: string,
    private readonly onUnpacked?: (u: LayerUnpacked) => void,
  ) {
    this.root = join(dataRoot, 'overlay');
  }

  /** Creates the directories and removes unpacks an interruption left half done. */
  async init(): Promise<void> {
    await mkdir(join(this.root, 'l'), { recursive: true });
    await mkdir(this.emptyDir, { recursive: true });
    for (const name of await readdir(this.root)) {
      if (name.startsWith(TMP_PREFIX)) await rm(join(this.root, name), { recursive: true, force: true });
    }
  }

  dir(chainId: string): string {
    return join(this.root, digestHex(chainId));
  }

  diffDir(chainId: string): string {
    return join(this.dir(chainId), 'diff');
  }

  /** The lowerdir entry for a layer, relative to `root`. */
  link(chainId: string): string {
    return `l/${digestHex(chainId).slice(0, LINK_LENGTH)}`;
  }

  /** An empty lower layer for images without layers (overlay needs at least one). */
  get emptyDir(): string {
    return join(this.root, 'empty');
  }

  async has(chainId: string): Promise<boolean> {
    try {
      return (await stat(this.diffDir(chainId))).isDirectory();
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
  }

  /** The layer's uncompressed tar size, recorded when it was unpacked (0 if unknown). */
  async size(chainId: string): Promise<number> {
    const raw = await readFile(join(this.dir(chainId), 'size'), 'utf8').catch(() => '0');
    const n = Number(raw);
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  }

  /** Chain ids of the layers on disk. */
  async list(): Promise<string[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  /**
   * Makes sure a layer is unpacked: `open` supplies its blob only when it is not. The
   * tar goes into a temp dir that is renamed into place once complete, so a layer dir is never partial.
   */
  async ensure(chainId: string, open: () => Promise<LayerSource>, diffId?: string): Promise<void> {
    const running = this.inflight.get(chainId);
    if (running) return running;
    const job = this.unpack(chainId, open, diffId).finally(() => this.inflight.delete(chainId));
    this.inflight.set(chainId, job);
    return job;
  }

  /**
   * With `diffId`, the layer is kept only when its uncompressed tar hashes to it: a layer whose
   * content differs from what the image config promises never lands.
   */
  private async unpack(chainId: string, open: () => Promise<LayerSource>, diffId?: string): Promise<void> {
    if (!(await this.has(chainId))) {
      const tmp = join(this.root, `${TMP_PREFIX}${randomBytes(8).toString('hex')}`);
      const started = process.hrtime.bigint();
      let bytes = 0;
      let ok = false;
      try {
        await mkdir(tmp, { mode: 0o700 });
        await mkdir(join(tmp, 'diff'), { mode: 0o755 });
        const source = await open();
        const input = 'path' in source ? { path: source.path } : source.stream;
        const unpacked = await unpackLayer(input, join(tmp, 'diff'), join(tmp, 'work'));
        if ('done' in source) await source.done;
        if (diffId !== undefined && unpacked.diffId !== diffId) {
          throw new PolisError(
            'image.digest_mismatch',
            `layer content does not match the image config: diff id ${diffId} expected, got ${unpacked.diffId}`,
            { context: { chainId, expected: diffId, actual: unpacked.diffId } },
          );
        }
        bytes = unpacked.size;
        await writeFile(join(tmp, 'size'), String(unpacked.size));
        if (unpacked.mayHaveWhiteouts) await convertWhiteouts(join(tmp, 'diff'));
        await rename(tmp, this.dir(chainId)).catch(async (err: unknown) => {
          // Someone else finished the same layer first: theirs is as good as ours.
          if (!(await this.has(chainId))) throw err;
        });
        ok = true;
      } catch (err) {
        // Classified before the partial layer is removed: removing it frees the space again.
        throw await spaceError(this.root, err);
      } finally {
        await rm(tmp, { recursive: true, force: true });
        this.onUnpacked?.({ seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes, ok });
      }
    }
    await this.ensureLink(chainId);
  }

  private async ensureLink(chainId: string): Promise<void> {
    const path = join(this.root, this.link(chainId));
    const target = `../${digestHex(chainId)}/diff`;
    const current = await readlink(path).catch(() => undefined);
    if (current === target) return;
    if (current !== undefined) await rm(path, { force: true });
    await symlink(target, path);
  }

  /** Removes a layer: renamed aside first so a crash never leaves a half-deleted layer in place. */
  async remove(chainId: string): Promise<void> {
    await rm(join(this.root, this.link(chainId)), { force: true });
    const aside = join(this.root, `${TMP_PREFIX}rm-${randomBytes(8).toString('hex')}`);
    try {
      await rename(this.dir(chainId), aside);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      throw err;
    }
    await rm(aside, { recursive: true, force: true });
  }
}
