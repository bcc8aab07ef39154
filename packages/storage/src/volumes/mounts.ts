import { readFile, realpath } from 'node:fs/promises';

/** Undoes the octal escapes (`\040` for a space) the kernel uses in /proc/self/mountinfo. */
function unescape(field: string): string {
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
    return field !== undefined && unescape(field) === resolved;
  });
}
