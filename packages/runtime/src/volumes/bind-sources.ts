import { mkdir, stat } from 'node:fs/promises';
import { PolisError, errnoCode, type ContainerSpec } from '@polis/core';

/**
 * Docker's rule for a bind's host path: `-v /missing:/x` creates it, `--mount type=bind` refuses it
 * (400, before anything of the container exists).
 */
export async function prepareBindSources(spec: ContainerSpec): Promise<void> {
  const missing: string[] = [];
  for (const b of spec.storage.binds) {
    try {
      await stat(b.source);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
      if (!b.createSource) {
        throw new PolisError(
          'request.invalid',
          `invalid mount config for type "bind": bind source path does not exist: ${b.source}`,
          { context: { source: b.source } },
        );
      }
      missing.push(b.source);
    }
  }
  for (const source of missing) await mkdir(source, { recursive: true, mode: 0o755 });
}
