import { readFile, realpath } from 'node:fs/promises';

/** Undoes the octal escapes (`\040` for a space) the kernel uses in /proc/self/mountinfo. */
export function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount points listed in a mountinfo text (field 5). */
export function mountPoints(mountinfo: string): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const field = line.split(' ')[4];
    if (field !== undefined) out.push(unescapeMountPath(field));
  }
  return out;
}

/** True when something is mounted exactly at `path` in this process's mount namespace. */
export async function isMounted(path: string): Promise<boolean> {
  let resolved: string;
  try {
    resolved = await realpath(path);
  } catch {
    return false;
  }
  return mountPoints(await readFile('/proc/self/mountinfo', 'utf8')).includes(resolved);
}
