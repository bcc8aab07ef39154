import { readFile, realpath } from 'node:fs/promises';
import { proc } from '@polis/core';

/** Undoes the octal escapes (`\040` for a space) the kernel uses in /proc/self/mountinfo. */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** True when something is mounted exactly at `path` in this process's mount namespace. */
export async function isMountPoint(path: string): Promise<boolean> {
  let resolved: string;
  try {
    resolved = await realpath(path);
  } catch {
    return false;
  }
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((line) => {
    const field = line.split(' ')[4];
    return field !== undefined && unescapeMountField(field) === resolved;
  });
}

/** The mount sources (`/dev/loop3`, `tmpfs`…) of this mount namespace. */
export async function mountSources(): Promise<Set<string>> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const sources = new Set<string>();
  for (const line of info.split('\n')) {
    const tail = line.split(' - ')[1];
    const source = tail?.split(' ')[1];
    if (source) sources.add(unescapeMountField(source));
  }
  return sources;
}

export async function unmountIfMounted(path: string): Promise<void> {
  if (!(await isMountPoint(path))) return;
  await proc.run('umount', [path]);
}
