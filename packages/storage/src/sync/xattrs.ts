import { proc } from '@polis/core';
import { childFdPath } from './at.js';

/**
 * Extended attributes of every entry under a held directory, by relative path (values in hex). Node has
 * no xattr calls, so attr's `getfattr` walks the tree once, physically (`-P`, `-h`: no link is followed),
 * starting from our held fd.
 */
export async function readTreeXattrs(rootFd: number): Promise<Map<string, Record<string, string>>> {
  const base = `/proc/${process.pid}/fd/${rootFd}/.`;
  const { stdout } = await proc.run(
    'getfattr',
    ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', base],
    { okCodes: [0, 1] },
  );
  return parseGetfattr(stdout, base);
}

/** `getfattr -d -e hex` output: `# file: PATH` then `name=0xHEX` lines, blocks split by a blank line. */
export function parseGetfattr(text: string, base: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) {
      const path = unescape(line.slice('# file: '.length));
      const rel = path === base ? '' : path.startsWith(`${base}/`) ? path.slice(base.length + 1) : undefined;
      current = rel === undefined ? undefined : {};
      if (current && rel !== undefined) out.set(rel, current);
      continue;
    }
    if (!current || line === '') continue;
    const eq = line.indexOf('=');
    const name = unescape(eq < 0 ? line : line.slice(0, eq));
    const value =
      eq < 0
        ? ''
        : line
            .slice(eq + 1)
            .replace(/^0x/, '')
            .replace(/^""$/, '');
    current[name] = value;
  }
  for (const [path, attrs] of out) if (Object.keys(attrs).length === 0) out.delete(path);
  return out;
}

/** getfattr writes bytes outside printable ASCII, `\` and `=` as `\ooo`. */
function unescape(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const m = /^\\([0-7]{3})/.exec(text.slice(i, i + 4));
    if (m) {
      bytes.push(parseInt(m[1] as string, 8));
      i += 3;
    } else if (text.startsWith('\\\\', i)) {
      bytes.push(0x5c);
      i += 1;
    } else {
      bytes.push(...Buffer.from(text[i] as string));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Makes `name` in the held directory carry exactly `want` (set what differs, remove what is extra). */
export async function applyXattrs(
  dirFd: number,
  name: string,
  want: Record<string, string> = {},
  have: Record<string, string> = {},
): Promise<void> {
  const path = childFdPath(dirFd, name);
  for (const key of Object.keys(have)) {
    if (!(key in want)) await proc.run('setfattr', ['-h', '-x', key, path]);
  }
  for (const [key, value] of Object.entries(want)) {
    if (have[key] === value) continue;
    await proc.run('setfattr', ['-h', '-n', key, '-v', value === '' ? '""' : `0x${value}`, path]);
  }
}

export function sameXattrs(a: Record<string, string> = {}, b: Record<string, string> = {}): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
