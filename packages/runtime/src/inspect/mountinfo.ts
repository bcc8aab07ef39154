/** One line of /proc/PID/mountinfo: where it is mounted, how, and what. */
export interface MountEntry {
  mountPoint: string;
  options: string[];
  fsType: string;
  source: string;
}

/** The kernel escapes space, tab, newline and backslash in paths as octal. */
const unescape = (s: string): string =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): MountEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [left = '', right = ''] = line.split(' - ');
      const f = left.split(' ');
      const [fsType = '', source = ''] = right.split(' ');
      return {
        mountPoint: unescape(f[4] ?? ''),
        options: (f[5] ?? '').split(','),
        fsType,
        source: unescape(source),
      };
    });
}

/** The mount that is in effect at a path: the last one listed there (later mounts cover earlier ones). */
export function mountAt(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  return entries.filter((e) => e.mountPoint === path).at(-1);
}
