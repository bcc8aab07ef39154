/**
 * The one ustar header `polis cp` writes and reads itself: a regular file, whose name fits the 100-byte
 * field and whose numbers fit their octal fields. Anything else goes through GNU tar.
 */
export const BLOCK = 512;

export interface FileHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
}

const MAX_SIZE = 8 ** 11 - 1;
const MAX_ID = 8 ** 7 - 1;

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  buf.write(value.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'ascii');
}

/** A header block, or undefined when the file needs more than plain ustar can say. */
export function fileHeader(h: FileHeader): Buffer | undefined {
  const name = Buffer.from(h.name, 'utf8');
  if (name.length === 0 || name.length > 100 || h.name.includes('\0')) return undefined;
  if (h.size > MAX_SIZE || h.uid > MAX_ID || h.gid > MAX_ID || h.uid < 0 || h.gid < 0) return undefined;
  const buf = Buffer.alloc(BLOCK);
  name.copy(buf, 0);
  octal(buf, 100, 8, h.mode & 0o7777);
  octal(buf, 108, 8, h.uid);
  octal(buf, 116, 8, h.gid);
  octal(buf, 124, 12, h.size);
  octal(buf, 136, 12, Math.max(0, Math.floor(h.mtime)));
  buf.write('        ', 148, 8, 'ascii');
  buf.write('0', 156, 1, 'ascii');
  buf.write('ustar\u000000', 257, 8, 'ascii');
  let sum = 0;
  for (const byte of buf) sum += byte;
  buf.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return buf;
}

function readOctal(buf: Buffer, offset: number, length: number): number | undefined {
  const field = buf.subarray(offset, offset + length);
  // Base-256 numbers (the high bit set) are for sizes and ids plain ustar cannot hold: not ours.
  if ((field[0] ?? 0) & 0x80) return undefined;
  const text = field.toString('ascii').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : undefined;
}

/** Whether a block is all zeros (the end of an archive). */
export function isZeroBlock(buf: Buffer): boolean {
  for (const byte of buf) if (byte !== 0) return false;
  return true;
}

/**
 * The header of a plain regular file (type `0` or NUL, a valid checksum, no prefix), or undefined for
 * anything else: an extended (pax, GNU long name) header, another type, a bad block.
 */
export function parseFileHeader(buf: Buffer): FileHeader | undefined {
  if (buf.length !== BLOCK || isZeroBlock(buf)) return undefined;
  const type = buf[156];
  if (type !== 0x30 && type !== 0) return undefined;
  const checksum = readOctal(buf, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (buf[i] as number);
  if (checksum !== sum) return undefined;
  const ustar = buf.toString('ascii', 257, 262) === 'ustar';
  if (ustar && buf[345] !== 0) return undefined; // a prefix: a path, not one name
  const nul = buf.indexOf(0, 0);
  const name = buf.toString('utf8', 0, nul < 0 || nul > 100 ? 100 : nul);
  const mode = readOctal(buf, 100, 8);
  const uid = readOctal(buf, 108, 8);
  const gid = readOctal(buf, 116, 8);
  const size = readOctal(buf, 124, 12);
  const mtime = readOctal(buf, 136, 12);
  if ([mode, uid, gid, size, mtime].some((n) => n === undefined)) return undefined;
  return { name, mode: mode!, uid: uid!, gid: gid!, size: size!, mtime: mtime! };
}

/** Zeros that pad `size` bytes of content to whole blocks. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}
