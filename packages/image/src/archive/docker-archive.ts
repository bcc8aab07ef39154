import type { ArchiveDir } from './archive-dir.js';
import { archiveInvalid } from './errors.js';
import { addName, digestOfPath, isRecord, parseJson, type PlannedImage } from './plan.js';

/**
 * Images of a docker-archive (`manifest.json`): the old layout (`<id>.json`, `<id>/layer.tar`) and
 * Docker 25's (`blobs/sha256/<hex>`, where the path names the digest and is checked).
 */
export async function readDockerArchive(dir: ArchiveDir): Promise<PlannedImage[]> {
  const entries = parseJson(await dir.bytes('manifest.json'), 'manifest.json');
  if (!Array.isArray(entries)) throw archiveInvalid('manifest.json is not a list');
  return entries.map((entry: unknown, i) => {
    const what = `manifest.json entry ${i}`;
    if (!isRecord(entry) || typeof entry.Config !== 'string' || !Array.isArray(entry.Layers)) {
      throw archiveInvalid(`${what} needs Config and Layers`);
    }
    const tags = entry.RepoTags ?? [];
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) {
      throw archiveInvalid(`${what}: RepoTags must be a list of names`);
    }
    const configDigest = digestOfPath(entry.Config);
    const plan: PlannedImage = {
      configPath: entry.Config,
      ...(configDigest === undefined ? {} : { configDigest }),
      layers: entry.Layers.map((path: unknown) => {
        if (typeof path !== 'string') throw archiveInvalid(`${what}: a layer path is not a string`);
        const digest = digestOfPath(path);
        return digest === undefined ? { path } : { path, digest };
      }),
      tags: [],
      digestNames: [],
    };
    for (const tag of tags as string[]) addName(plan, tag);
    return plan;
  });
}
