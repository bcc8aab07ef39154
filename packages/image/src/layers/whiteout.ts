import { lstat, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PolisError } from '@polis/core';
import { tarArchive, type TarEntry } from '../tar/writer.js';
import { extractTar } from './extract.js';

/** OCI layer whiteout markers (image-spec layer.md). */
export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
const META_PREFIX = '.wh..wh.';
/** Overlayfs marks an opaque directory with this xattr set to "y". */
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

export interface WhiteoutScan {
  /** Directories (relative, '' for the root) holding an opaque marker. */
  opaque: string[];
  /** Paths (relative) that must become overlay whiteouts. */
  removed: string[];
  /** Marker files to delete (relative). */
  markers: string[];
}

/** Finds OCI whiteout markers in an unpacked layer, without following symlinks. */
export async function scanWhiteouts(root: string): Promise<WhiteoutScan> {
  const scan: WhiteoutScan = { opaque: [], removed: [], markers: [] };
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(root, rel), { withFileTypes: true });
    const names = new Set(entries.map((e) => e.name));
    for (const entry of entries) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      // `.wh..wh.*` entries (files or dirs such as `.wh..wh.plnk`) are aufs metadata: dropped.
      if (entry.name.startsWith(META_PREFIX) && entry.name !== OPAQUE_MARKER) {
        scan.markers.push(path);
        continue;
      }
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      if (!entry.name.startsWith(WHITEOUT_PREFIX)) continue;
      scan.markers.push(path);
      if (entry.name === OPAQUE_MARKER) {
        scan.opaque.push(rel);
        continue;
      }
      const target = entry.name.slice(WHITEOUT_PREFIX.length);
      // A name this layer also has is that entry, not a whiteout.
      if (names.has(target)) continue;
      if (target === '' || target === '.' || target === '..') {
        throw new PolisError('image.layer_invalid', `invalid whiteout ${path}`, { context: { path } });
      }
      scan.removed.push(rel === '' ? target : `${rel}/${target}`);
    }
  };
  await walk('');
  return scan;
}

/**
 * Rewrites OCI whiteouts into overlayfs form: `.wh.name` becomes a 0:0 character device `name`, and
 * `.wh..wh..opq` becomes `trusted.overlay.opaque=y` on its directory. Node can make neither device
 * nodes nor xattrs, so a small synthetic archive carries them through GNU tar in one process.
 */
export async function convertWhiteouts(root: string): Promise<WhiteoutScan> {
  const scan = await scanWhiteouts(root);
  if (scan.markers.length === 0) return scan;
  const parents = new Set(scan.markers.map((m) => posix.dirname(m)).map((d) => (d === '.' ? '' : d)));
  const times = new Map<string, { atime: Date; mtime: Date }>();
  for (const dir of parents) {
    const st = await stat(join(root, dir));
    times.set(dir, { atime: st.atime, mtime: st.mtime });
  }
  for (const marker of scan.markers) await rm(join(root, marker), { recursive: true, force: true });
  const entries: TarEntry[] = [];
  for (const dir of scan.opaque) {
    const st = await lstat(join(root, dir));
    entries.push({
      name: dir === '' ? './' : `${dir}/`,
      type: 'dir',
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: Math.floor(st.mtimeMs / 1000),
      xattrs: { [OVERLAY_OPAQUE_XATTR]: 'y' },
    });
  }
  for (const path of scan.removed) {
    entries.push({ name: path, type: 'char', mode: 0, devmajor: 0, devminor: 0 });
  }
  await extractTar(tarArchive(entries), root, { xattrs: [OVERLAY_OPAQUE_XATTR] });
  // Removing markers and adding nodes touched the parents; give them back the layer's times.
  for (const [dir, t] of times) await utimes(join(root, dir), t.atime, t.mtime);
  return scan;
}
