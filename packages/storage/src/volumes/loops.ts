import { createLogger, proc } from '@polis/core';
import { mountSources } from './mounts.js';

const log = createLogger('storage');

export interface LoopDevice {
  name: string;
  /** The backing file as the kernel names it now (it follows renames); without " (deleted)". */
  file: string;
}

/** Reads `losetup --json --list`: every attached loop device and its backing file. */
export function parseLosetup(json: string): LoopDevice[] {
  if (!json.trim()) return [];
  const parsed = JSON.parse(json) as { loopdevices?: { name: string; 'back-file'?: string | null }[] };
  return (parsed.loopdevices ?? [])
    .filter((d) => typeof d['back-file'] === 'string')
    .map((d) => ({ name: d.name, file: (d['back-file'] as string).replace(/ \(deleted\)$/, '') }));
}

export async function listLoops(): Promise<LoopDevice[]> {
  const { stdout } = await proc.run('losetup', ['--json', '--list']);
  return parseLosetup(stdout);
}

async function detach(device: LoopDevice): Promise<void> {
  try {
    await proc.run('losetup', ['--detach', device.name]);
  } catch (err) {
    log.warn('detaching a loop device', { device: device.name, file: device.file, err });
  }
}

/** Detaches every loop device backed by `file` (one a crash left behind, or an unmounted one). */
export async function detachLoopsOf(file: string): Promise<void> {
  for (const d of await listLoops()) if (d.file === file) await detach(d);
}

/**
 * At boot: loop devices backed by a file under `root` but mounted nowhere in this namespace were left
 * by a crash between attaching and mounting, or by a mount removed behind polisd's back; they go.
 */
export async function detachStaleLoops(root: string): Promise<string[]> {
  const mounted = await mountSources();
  const stale = (await listLoops()).filter((d) => d.file.startsWith(`${root}/`) && !mounted.has(d.name));
  for (const d of stale) {
    log.info('detaching a loop device no mount uses', { device: d.name, file: d.file });
    await detach(d);
  }
  return stale.map((d) => d.name);
}
