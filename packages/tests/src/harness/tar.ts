/** A minimal ustar writer for tests that need archives a well-behaved tar would not make. */
export interface TarEntry {
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'link';
  body?: string;
  linkname?: string;
  mode?: number;
}

const TYPE_FLAG = { file: '0', link: '1', symlink: '2', dir: '5' } as const;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

export function tarOf(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const body = Buffer.from(type === 'file' ? (e.body ?? '') : '');
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100);
    h.write(octal(e.mode ?? (type === 'dir' ? 0o755 : 0o644), 8), 100);
    h.write(octal(0, 8), 108);
    h.write(octal(0, 8), 116);
    h.write(octal(body.length, 12), 124);
    h.write(octal(Math.floor(Date.now() / 1000), 12), 136);
    h.write('        ', 148);
    h.write(TYPE_FLAG[type], 156);
    if (e.linkname) h.write(e.linkname, 157, 100);
    h.write('ustar\u000000', 257);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(octal(sum, 7) + ' ', 148);
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
