import { PolisError } from '@polis/core';

/** A tar block; headers and the end-of-archive marker are one block each, data is padded to whole blocks. */
export const BLOCK = 512;

/** What the restore check needs of a tar header (ustar fields; pax and GNU long names are applied later). */
export interface TarHeader {
  name: string;
  linkname: string;
  size: number;
  type: string;
}

export function invalidBackup(message: string, context: Record<string, unknown> = {}): PolisError {
  return new PolisError('volume.backup_invalid', `invalid volume backup: ${message}`, { context });
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** Where a NUL-terminated field ends (its length when it fills the field). */
function fieldEnd(block: Buffer, start: number, length: number): number {
  for (let i = start; i < start + length; i++) if (block[i] === 0) return i;
  return start + length;
}

// Fields are read in place, without a Buffer view each: the restore's check parses every header.
function text(block: Buffer, start: number, length: number): string {
  return block.toString('utf8', start, fieldEnd(block, start, length));
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function octal(block: Buffer, start: number, length: number): number {
  // GNU's base-256 for sizes past 8 GiB: the first byte's high bit set, then a big-endian number.
  if ((block[start] ?? 0) & 0x80) {
    let value = (block[start] ?? 0) & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + (block[start + i] ?? 0);
    return value;
  }
  let from = start;
  let end = fieldEnd(block, start, length);
  while (from < end && isSpace(block[from] as number)) from++;
  while (end > from && isSpace(block[end - 1] as number)) end--;
  let value = 0;
  for (let i = from; i < end; i++) {
    const digit = (block[i] as number) - 0x30;
    if (digit < 0 || digit > 7) {
      const digits = block.toString('utf8', from, end);
      throw invalidBackup(`bad number in a tar header: ${JSON.stringify(digits)}`);
    }
    value = value * 8 + digit;
  }
  return value;
}

function checksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
  return sum;
}

/** Reads one header block, checking its checksum (a damaged header is refused, never guessed at). */
export function parseHeader(block: Buffer): TarHeader {
  if (octal(block, 148, 8) !== checksum(block)) throw invalidBackup('a tar header has a wrong checksum');
  const name = text(block, 0, 100);
  const ustar = block.toString('latin1', 257, 262) === 'ustar';
  const prefix = ustar ? text(block, 345, 155) : '';
  return {
    name: prefix ? `${prefix}/${name}` : name,
    linkname: text(block, 157, 100),
    size: octal(block, 124, 12),
    type: String.fromCharCode(block[156] ?? 0),
  };
}

/** Bytes of data after a header, padded to whole blocks. */
export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

/**
 * A ustar entry (header, data, padding) for the backup's own short-named members (and for tests, other
 * types with a link name).
 */
export function fileEntry(name: string, data: Buffer, mtime: number, type = '0', linkname = ''): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 'latin1');
  header.write('0000000\0', 108, 'latin1');
  header.write('0000000\0', 116, 'latin1');
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  header.write(`${Math.floor(mtime).toString(8).padStart(11, '0')}\0`, 136, 'latin1');
  header.write(type, 156, 'latin1');
  header.write(linkname, 157, 100, 'utf8');
  header.write('ustar\x0000', 257, 'latin1');
  header.write(`${checksum(header).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const padding = Buffer.alloc(paddedSize(data.length) - data.length);
  return Buffer.concat([header, data, padding]);
}

/** Pax extended header records (`LEN key=value\n`): the keys that change an entry's name, link or size. */
export function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(data.subarray(at, space).toString('latin1'));
    if (!Number.isInteger(length) || length <= space - at || at + length > data.length) {
      throw invalidBackup('a pax header record is malformed');
    }
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return out;
}
