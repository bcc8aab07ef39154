import { invalidBackup } from './tar-block.js';
import type { BackupTrailer } from './manifest.js';

/*
 * A backup (format 2) is a sequence of zstd frames, so `zstd -d` (and `tar --zstd -x`) read it whole:
 * the manifest entry in a frame of raw blocks Polis writes itself, GNU tar's archive as zstd compressed
 * it, and last the digest trailer in a skippable frame, which decompressors pass over. The digest covers
 * the compressed bytes before the trailer, so neither side has to carry the uncompressed data to check it.
 */

const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames have magics 0x184D2A50–5F; this one is Polis's trailer. */
export const TRAILER_MAGIC = 0x184d2a5b;
const TRAILER_PAYLOAD = 256;
/** The trailer frame's whole size: magic, length, payload (JSON padded with spaces). */
export const TRAILER_FRAME_SIZE = 8 + TRAILER_PAYLOAD;
const TRAILER_TAG = 'polis-volume-trailer ';
/** zstd's largest block (Block_Maximum_Size). */
const MAX_BLOCK = 128 * 1024;

/**
 * `data` as one zstd frame of raw (stored) blocks: single segment, 4-byte content size, no checksum
 * (the backup's digest covers it).
 */
export function rawFrame(data: Buffer): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / MAX_BLOCK));
  const out = Buffer.alloc(4 + 1 + 4 + blocks * 3 + data.length);
  out.writeUInt32LE(ZSTD_MAGIC, 0);
  // Frame header descriptor: Frame_Content_Size_flag 2 (4 bytes), Single_Segment_flag 1.
  out[4] = 0b1010_0000;
  out.writeUInt32LE(data.length, 5);
  let at = 9;
  for (let i = 0; i < blocks; i++) {
    const part = data.subarray(i * MAX_BLOCK, (i + 1) * MAX_BLOCK);
    // Block header (24 bits, little-endian): Last_Block, Block_Type 0 (raw), Block_Size.
    out.writeUIntLE((part.length << 3) | (i === blocks - 1 ? 1 : 0), at, 3);
    part.copy(out, at + 3);
    at += 3 + part.length;
  }
  return out;
}

export function trailerFrame(trailer: BackupTrailer): Buffer {
  const text = `${TRAILER_TAG}${JSON.stringify(trailer)}\n`;
  const out = Buffer.alloc(TRAILER_FRAME_SIZE, ' ');
  out.writeUInt32LE(TRAILER_MAGIC, 0);
  out.writeUInt32LE(TRAILER_PAYLOAD, 4);
  if (out.write(text, 8, 'utf8') !== Buffer.byteLength(text)) throw new Error('trailer too long');
  return out;
}

/** The trailer in the last bytes of a backup, or undefined when they are not a Polis trailer frame. */
export function parseTrailerFrame(tail: Buffer): BackupTrailer | undefined {
  if (tail.length !== TRAILER_FRAME_SIZE) return undefined;
  if (tail.readUInt32LE(0) !== TRAILER_MAGIC || tail.readUInt32LE(4) !== TRAILER_PAYLOAD) return undefined;
  const text = tail.subarray(8).toString('utf8').trimEnd();
  if (!text.startsWith(TRAILER_TAG)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(TRAILER_TAG.length));
  } catch {
    throw invalidBackup('the digest trailer is not JSON');
  }
  const t = value as Partial<BackupTrailer> | null;
  if (typeof t?.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(t.digest)) {
    throw invalidBackup('the digest trailer holds no sha256 digest');
  }
  if (typeof t.size !== 'number' || !Number.isSafeInteger(t.size) || t.size < 0) {
    throw invalidBackup('the digest trailer holds no size');
  }
  return { digest: t.digest, size: t.size };
}
