/**
 * A minimal ustar/pax archive writer: enough to hand GNU tar small synthetic archives (whiteout
 * device nodes, directory xattrs) and to build test layers with names GNU tar itself would refuse.
 */
export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'fifo';

export interface TarEntry {
  name: string;
  type: TarEntryType;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch. */
  mtime?: number;
  data?: Uint8Array | string;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, string>;
}

const TYPEFLAG: Record<TarEntryType, string> = {
  file: '0',
  dir: '5',
  symlink: '2',
  hardlink: '1',
  char: '3',
  fifo: '6',
};
const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, typeflag: string, size: number, entry: TarEntry, linkname = ''): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(name, 0, 100, 'utf8');
  b.write(octal(entry.mode ?? (entry.type === 'dir' ? 0o755 : 0o644), 8), 100, 'ascii');
  b.write(octal(entry.uid ?? 0, 8), 108, 'ascii');
  b.write(octal(entry.gid ?? 0, 8), 116, 'ascii');
  b.write(octal(size, 12), 124, 'ascii');
  b.write(octal(Math.floor(entry.mtime ?? 0), 12), 136, 'ascii');
  b.write('        ', 148, 'ascii');
  b.write(typeflag, 156, 'ascii');
  b.write(linkname, 157, 100, 'utf8');
  b.write('ustar\0', 257, 'ascii');
  b.write('00', 263, 'ascii');
  b.write(octal(entry.devmajor ?? 0, 8), 329, 'ascii');
  b.write(octal(entry.devminor ?? 0, 8), 337, 'ascii');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(octal(sum, 7) + ' ', 148, 'ascii');
  return b;
}

function padded(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

/** A pax record is "<len> key=value\n" where len counts the whole record, itself included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body);
  while (String(len).length + Buffer.byteLength(body) !== len)
    len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

export function tarEntry(entry: TarEntry): Buffer {
  const data = entry.data === undefined ? Buffer.alloc(0) : Buffer.from(entry.data);
  const records: string[] = [];
  if (Buffer.byteLength(entry.name) > 100) records.push(paxRecord('path', entry.name));
  if (entry.linkname !== undefined && Buffer.byteLength(entry.linkname) > 100) {
    records.push(paxRecord('linkpath', entry.linkname));
  }
  for (const [key, value] of Object.entries(entry.xattrs ?? {}))
    records.push(paxRecord(`SCHILY.xattr.${key}`, value));
  const parts: Buffer[] = [];
  if (records.length > 0) {
    const pax = Buffer.from(records.join(''));
    parts.push(header('PaxHeader', 'x', pax.length, { name: '', type: 'file', mode: 0o644 }), padded(pax));
  }
  parts.push(
    header(entry.name.slice(0, 100), TYPEFLAG[entry.type], data.length, entry, entry.linkname ?? ''),
  );
  if (data.length > 0) parts.push(padded(data));
  return Buffer.concat(parts);
}

/** A whole archive: the entries then two zero blocks. */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  return Buffer.concat([...entries.map(tarEntry), Buffer.alloc(BLOCK * 2)]);
}
