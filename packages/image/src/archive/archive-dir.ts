import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, realpath, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { errnoCode, isPolisError } from '@polis/core';
import { extractTar } from '../layers/extract.js';
import { decompress, looksLikeTar, peek } from '../layers/stream.js';
import { spaceError } from '../store/space.js';
import { archiveInvalid } from './errors.js';

/** Metadata files (manifest.json, index.json, configs, manifests) larger than this are refused. */
const METADATA_LIMIT = 32 * 1024 * 1024;

/**
 * An archive unpacked by GNU tar into a private temp dir. Every path the archive's own metadata
 * names is resolved here and must end at a regular file inside the dir: symlinks between members
 * (old docker save shares layers that way) are followed, but never out of it.
 */
export class ArchiveDir {
  private constructor(readonly root: string) {}

  /** Unpacks a (possibly compressed) tar stream into a fresh dir under `parent`; `use` runs on it, then it is removed. */
  static async with<T>(input: Readable, parent: string, use: (dir: ArchiveDir) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(parent, 'archive-'));
    try {
      await unpack(input, dir).catch(async (err: unknown) => {
        // Classified before the dir is removed: removing it frees the space again.
        throw await spaceError(parent, err);
      });
      return await use(new ArchiveDir(await realpath(dir)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async exists(name: string): Promise<boolean> {
    return stat(join(this.root, name)).then(
      () => true,
      () => false,
    );
  }

  /** The real path of member `name`, checked to be a regular file inside the archive. */
  async file(name: string): Promise<string> {
    if (name === '' || isAbsolute(name)) throw archiveInvalid(`bad member path ${JSON.stringify(name)}`);
    let real: string;
    try {
      real = await realpath(resolve(this.root, name));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw archiveInvalid(`${name} is missing`, { context: { name } });
      if (errnoCode(err) === 'ELOOP') throw archiveInvalid(`${name}: symlink loop`, { context: { name } });
      throw err;
    }
    if (!real.startsWith(this.root + sep) || !(await stat(real)).isFile()) {
      throw archiveInvalid(`${name} is not a file inside the archive`, { context: { name } });
    }
    return real;
  }

  async bytes(name: string): Promise<Buffer> {
    const path = await this.file(name);
    if ((await stat(path)).size > METADATA_LIMIT) throw archiveInvalid(`${name} is too large`);
    return readFile(path);
  }

  /** The first bytes of a member, to sniff its compression. */
  async head(name: string, n: number): Promise<Buffer> {
    const fh = await open(await this.file(name), 'r');
    try {
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async digest(name: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(await this.file(name))) hash.update(chunk as Buffer);
    return `sha256:${hash.digest('hex')}`;
  }

  async stream(name: string): Promise<Readable> {
    return createReadStream(await this.file(name));
  }
}

async function unpack(input: Readable, dir: string): Promise<void> {
  const { stream, done } = await decompress(input).catch((err: unknown) => {
    throw archiveInvalid('cannot read the input', { cause: err });
  });
  const { head, stream: tar } = await peek(stream, 512);
  if (!looksLikeTar(head)) {
    tar.destroy();
    await done.catch(() => undefined);
    throw archiveInvalid('the input is not a tar archive');
  }
  try {
    await extractTar(tar, dir);
    await done;
  } catch (err) {
    if (!isPolisError(err)) throw err;
    throw archiveInvalid(err.message, { cause: err });
  }
}
