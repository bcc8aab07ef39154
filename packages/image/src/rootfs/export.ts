import { readdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { PolisError, proc } from '@polis/core';
import { byName } from '../layers/upper.js';

export interface TreeExport {
  /** The tar stream. */
  stream: Readable;
  /** Settles when tar exited; rejects with its error (the stream is destroyed with it too). */
  done: Promise<void>;
}

/**
 * `docker export`: a tar of a mounted container root, names relative (`bin/sh`, as Docker writes
 * them). GNU tar never follows a symlink and stays on the root's file system, so nothing outside the
 * container's tree is read.
 */
export async function exportTree(root: string, extraArgs: string[] = []): Promise<TreeExport> {
  const names = (await readdir(root)).sort(byName);
  const args = [
    '--directory',
    root,
    ...extraArgs,
    '--create',
    '--file=-',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    '--numeric-owner',
    '--one-file-system',
    '--xattrs',
    '--xattrs-include=user.*',
    '--xattrs-include=security.capability',
    '--null',
    '--verbatim-files-from',
    '--files-from=-',
  ];
  const child = proc.start('tar', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = proc.waitFor(child, 'tar', args);
  child.stdin?.end(Buffer.from(names.map((n) => `${n}\0`).join('')));
  const stream = child.stdout;
  if (!stream) throw new PolisError('internal', 'tar has no stdout');
  const done = exited.then(
    () => undefined,
    (err: unknown) => {
      stream.destroy(err as Error);
      throw err;
    },
  );
  return { stream, done };
}
