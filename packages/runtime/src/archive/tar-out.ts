import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pack as tarPack, type Headers, type Pack } from 'tar-stream';
import { toContainerId, type IdMappings } from '@polis/core';
import { fdPath, type ConfinedRoot, type HeldDir } from './confined.js';

const CHUNK = 256 * 1024;
const FILE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Writes a tar of the entry `name` in `parent` (held open), rebased to `rebase`, as Docker's
 * `archive-path`: a directory's own entry first, then its tree. Every open goes through a held
 * directory fd without following symlinks, so a link swapped in during the walk is archived as a link,
 * never followed to the host. `name` undefined means `dir` itself (the root, a mount top).
 */
export function tarEntry(
  root: ConfinedRoot,
  at: { parent: HeldDir; name: string | undefined; dir?: HeldDir; stat: Stats },
  rebase: string,
  mappings?: IdMappings,
): Pack {
  const pack = tarPack();
  if (mappings) mapOwnersBack(pack, mappings);
  const links = new Map<string, string>();
  const walk = async (): Promise<void> => {
    if (at.stat.isDirectory()) {
      const dir = at.dir ?? (await root.openChild(at.parent, at.name as string));
      await addDir(root, pack, dir, at.stat, rebase, links);
    } else {
      await addNonDir(pack, at.parent, at.name as string, at.stat, rebase, links);
    }
    pack.finalize();
  };
  walk().catch((err: Error) => pack.destroy(err));
  return pack;
}

/**
 * A remapped container's files are owned by host ids; the archive carries the ids the container sees
 * (dockerd's rule), so every header passes through the maps on its way into the pack.
 */
function mapOwnersBack(pack: Pack, mappings: IdMappings): void {
  const entry = pack.entry.bind(pack) as (h: Headers, ...rest: unknown[]) => Writable;
  (pack as unknown as { entry: typeof entry }).entry = (h, ...rest) =>
    entry(
      {
        ...h,
        uid: toContainerId(h.uid ?? 0, mappings.uids),
        gid: toContainerId(h.gid ?? 0, mappings.gids),
      },
      ...rest,
    );
}

function header(st: Stats, name: string): Headers {
  return { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
}

async function addDir(
  root: ConfinedRoot,
  pack: Pack,
  dir: HeldDir,
  st: Stats,
  name: string,
  links: Map<string, string>,
): Promise<void> {
  await entry(pack, { ...header(st, name === '/' ? '/' : `${name}/`), type: 'directory' });
  const prefix = name === '/' ? '' : `${name}/`;
  try {
    const names = dir.kernel ? [] : (await readdir(fdPath(dir.fd))).sort();
    for (const child of names) {
      let cst: Stats;
      try {
        cst = await lstat(fdPath(dir.fd, child));
      } catch {
        continue; // removed while we walked
      }
      if (cst.isDirectory()) {
        const sub = await root.openChild(dir, child);
        await addDir(root, pack, sub, cst, prefix + child, links);
      } else {
        await addNonDir(pack, dir, child, cst, prefix + child, links);
      }
    }
  } finally {
    await root.release(dir);
  }
}

async function addNonDir(
  pack: Pack,
  parent: HeldDir,
  name: string,
  st: Stats,
  entryName: string,
  links: Map<string, string>,
): Promise<void> {
  const base = header(st, entryName);
  if (st.nlink > 1) {
    const key = `${st.dev}:${st.ino}`;
    const first = links.get(key);
    if (first !== undefined) return entry(pack, { ...base, type: 'link', linkname: first });
    links.set(key, entryName);
  }
  if (st.isSymbolicLink()) {
    return entry(pack, { ...base, type: 'symlink', linkname: await readlink(fdPath(parent.fd, name)) });
  }
  if (st.isFIFO()) return entry(pack, { ...base, type: 'fifo' });
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return entry(pack, {
      ...base,
      type: st.isCharacterDevice() ? 'character-device' : 'block-device',
      devmajor: Math.floor(st.rdev / 256) & 0xfff,
      devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00),
    });
  }
  if (!st.isFile()) return; // sockets are not archived (as Docker)
  const handle = await open(fdPath(parent.fd, name), FILE_FLAGS);
  try {
    const fst = await handle.stat();
    if (!fst.isFile()) return;
    // Written by hand, not through stream.pipeline: tar-stream's entry sink (readable-stream 3) did not
    // report its end to pipeline once it had waited for a drain, and the archive stalled at its last block.
    let sink!: Writable;
    const written = new Promise<void>((resolve, reject) => {
      sink = pack.entry({ ...header(fst, entryName), type: 'file', size: fst.size }, (err) =>
        err ? reject(err) : resolve(),
      );
    });
    // A consumer that goes away fails the entry while we may still be reading: never an unhandled rejection.
    written.catch(() => undefined);
    for await (const chunk of readExactly(handle, fst.size)) {
      if (!sink.write(chunk)) await drained(sink);
    }
    sink.end();
    await written;
  } finally {
    await handle.close();
  }
}

/** Waits for a drain; a sink closed meanwhile (the client went away, the pack was destroyed) fails. */
function drained(sink: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      sink.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(new Error('archive stream closed'));
    sink.on('drain', onDrain);
    sink.on('close', onClose);
    sink.on('error', done);
  });
}

/** `size` bytes from the start; a file that shrank meanwhile fails the archive rather than corrupting it. */
async function* readExactly(handle: FileHandle, size: number): AsyncGenerator<Buffer> {
  let position = 0;
  while (position < size) {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, size - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) throw new Error(`file shrank while being archived`);
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

function entry(pack: Pack, headers: Headers): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(headers, (err) => (err ? reject(err) : resolve()));
  });
}
