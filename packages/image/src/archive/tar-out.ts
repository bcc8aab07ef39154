/**
 * Headers for a tar stream written as it goes: the size of each member is known before its data
 * flows, so layers of any size pass through without being held in memory.
 */
const BLOCK = 512;
/** The largest size an 11-digit octal field holds; bigger members get a pax `size` record. */
const MAX_OCTAL_SIZE = 0o77777777777;

export const TAR_END = Buffer.alloc(BLOCK * 2);

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function ustar(name: string, typeflag: string, size: number, mode: number, mtime: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(name, 0, 100, 'utf8');
  b.write(octal(mode, 8), 100, 'ascii');
  b.write(octal(0, 8), 108, 'ascii');
  b.write(octal(0, 8), 116, 'ascii');
  b.write(octal(size, 12), 124, 'ascii');
  b.write(octal(mtime, 12), 136, 'ascii');
  b.write('        ', 148, 'ascii');
  b.write(typeflag, 156, 'ascii');
  b.write('ustar\0', 257, 'ascii');
  b.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(octal(sum, 7) + ' ', 148, 'ascii');
  return b;
}

/** Zero bytes that round a member of `size` bytes up to whole blocks. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** A pax record is "<len> key=value\n" where len counts the whole record, itself included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return `${len}${body}`;
}

/** The header of a regular file of `size` bytes; names here are ASCII and under 100 bytes. */
export function fileHeader(name: string, size: number, mtime: number): Buffer {
  if (size <= MAX_OCTAL_SIZE) return ustar(name, '0', size, 0o644, mtime);
  const pax = Buffer.from(paxRecord('size', String(size)));
  return Buffer.concat([
    ustar('PaxHeader', 'x', pax.length, 0o644, mtime),
    pax,
    padding(pax.length),
    ustar(name, '0', 0, 0o644, mtime),
  ]);
}

export function dirHeader(name: string, mtime: number): Buffer {
  return ustar(name, '5', 0, 0o755, mtime);
}

/** A small member whose data is in memory. */
export function smallFile(name: string, data: Buffer, mtime: number): Buffer {
  return Buffer.concat([fileHeader(name, data.length, mtime), data, padding(data.length)]);
}
