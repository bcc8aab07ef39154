import { mkdir, rename, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { errnoCode, mappingKey, type IdMapping, type IdMappings } from '@polis/core';

/** Lines a map file may hold: dockerd's default range is 65536; a larger mapping is mapped back this far. */
const MAX_LINES = 1 << 20;

/**
 * GNU tar's `--owner-map`/`--group-map` options that turn a remapped container's host ids back into the
 * container's (`+100000 +0`), so `commit` and `export` write the ids the container saw, as dockerd does.
 * The files are written once per mapping under `<dataRoot>/<uid>.<gid>/`.
 */
export async function ownerMapArgs(dataRoot: string, mappings: IdMappings): Promise<string[]> {
  const dir = join(dataRoot, mappingKey(mappings));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const uidMap = await mapFile(join(dir, 'tar-owner-map'), mappings.uids);
  const gidMap = await mapFile(join(dir, 'tar-group-map'), mappings.gids);
  return [`--owner-map=${uidMap}`, `--group-map=${gidMap}`];
}

async function mapFile(path: string, maps: IdMapping[]): Promise<string> {
  try {
    await stat(path);
    return path;
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  const out = createWriteStream(tmp, { mode: 0o600 });
  let lines = 0;
  for (const m of maps) {
    const chunk: string[] = [];
    for (let i = 0; i < m.size && lines < MAX_LINES; i++, lines++)
      chunk.push(`+${m.hostID + i} +${m.containerID + i}\n`);
    if (!out.write(chunk.join(''))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
  await rename(tmp, path);
  return path;
}
