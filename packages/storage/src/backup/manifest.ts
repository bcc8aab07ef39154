import { checkVolumeName } from '../volumes/names.js';
import type { VolumeRecord } from '../volumes/types.js';
import { fileEntry, invalidBackup } from './tar-block.js';

/**
 * A volume backup is a zstd-compressed tar: first `polis-volume.json` (this manifest), then the volume's
 * data as GNU tar writes it (every name starts with `./`), then the digest. The digest is a trailer
 * because the archive is made in one streaming pass: it is not known before the data has gone by. It
 * covers the manifest entry and every data byte, so a changed label is caught too.
 *
 * Format 2 (written now) keeps the trailer in a zstd skippable frame after the compressed tar, its digest
 * over the compressed bytes (`zstd-frame.ts`); format 1 (read still) kept it as a last tar member,
 * `polis-volume.sum`, its digest over the uncompressed entries.
 */
export const FORMAT_VERSION = 2;
/** Formats this Polis reads. */
export const READABLE_FORMATS: readonly number[] = [1, 2];
export const MANIFEST_NAME = 'polis-volume.json';
export const TRAILER_NAME = 'polis-volume.sum';
/** Members above this size are not manifests or trailers (kept in memory while parsed). */
export const MAX_META_SIZE = 1024 * 1024;

export interface BackupManifest {
  formatVersion: number;
  name: string;
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  anonymous: boolean;
  created: string;
  /** How the trailer's digest is computed (only sha256 so far). */
  digestAlgorithm: 'sha256';
}

export interface BackupTrailer {
  /** `sha256:<hex>` over the manifest entry and the data entries, as they stand in the tar. */
  digest: string;
  /** Bytes that digest covers. */
  size: number;
}

export function manifestOf(volume: VolumeRecord): BackupManifest {
  return {
    formatVersion: FORMAT_VERSION,
    name: volume.name,
    driver: volume.driver,
    labels: volume.labels,
    options: volume.options,
    anonymous: volume.anonymous,
    created: volume.createdAt,
    digestAlgorithm: 'sha256',
  };
}

/** The manifest as the first tar member; its mtime is the volume's creation, so the bytes are stable. */
export function manifestEntry(manifest: BackupManifest): Buffer {
  const mtime = Date.parse(manifest.created) / 1000 || 0;
  return fileEntry(MANIFEST_NAME, Buffer.from(`${JSON.stringify(manifest)}\n`), mtime);
}

export function trailerEntry(trailer: BackupTrailer, mtime: number): Buffer {
  return fileEntry(TRAILER_NAME, Buffer.from(`${JSON.stringify(trailer)}\n`), mtime);
}

function json(data: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    throw invalidBackup(`the ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidBackup(`the ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidBackup(`manifest field ${field} is not an object of strings`);
  }
  for (const v of Object.values(value)) {
    if (typeof v !== 'string') throw invalidBackup(`manifest field ${field} is not an object of strings`);
  }
  return value as Record<string, string>;
}

function str(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw invalidBackup(`manifest field ${field} is missing`);
  return value;
}

/** Reads and checks the manifest: a newer format, a bad name or a missing field is refused. */
export function parseManifest(data: Buffer): BackupManifest {
  const m = json(data, 'manifest');
  if (typeof m.formatVersion !== 'number' || !READABLE_FORMATS.includes(m.formatVersion)) {
    throw invalidBackup(
      `unsupported format version ${JSON.stringify(m.formatVersion)} (this Polis reads ${READABLE_FORMATS.join(' and ')})`,
    );
  }
  if (m.digestAlgorithm !== 'sha256') {
    throw invalidBackup(`unsupported digest algorithm ${JSON.stringify(m.digestAlgorithm)}`);
  }
  const name = str(m.name, 'name');
  try {
    checkVolumeName(name);
  } catch {
    throw invalidBackup(`the manifest names an invalid volume ${JSON.stringify(name)}`);
  }
  const created = str(m.created, 'created');
  if (Number.isNaN(Date.parse(created))) throw invalidBackup('manifest field created is not a time');
  return {
    formatVersion: m.formatVersion,
    name,
    driver: str(m.driver, 'driver'),
    labels: stringMap(m.labels, 'labels'),
    options: stringMap(m.options, 'options'),
    anonymous: m.anonymous === true,
    created,
    digestAlgorithm: 'sha256',
  };
}

export function parseTrailer(data: Buffer): BackupTrailer {
  const t = json(data, 'digest trailer');
  if (typeof t.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(t.digest)) {
    throw invalidBackup('the digest trailer holds no sha256 digest');
  }
  if (typeof t.size !== 'number' || !Number.isSafeInteger(t.size) || t.size < 0) {
    throw invalidBackup('the digest trailer holds no size');
  }
  return { digest: t.digest, size: t.size };
}
