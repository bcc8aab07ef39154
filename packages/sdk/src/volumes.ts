import type { Readable } from 'node:stream';
import { encodeFilters } from './filters.js';
import type { Transport } from './transport.js';
import type {
  Volume,
  VolumeCreateBody,
  VolumeListResponse,
  VolumePruneResponse,
  VolumeSyncOptions,
  VolumeSyncResponse,
} from './types/volume.js';

const enc = encodeURIComponent;

/** `/volumes/...` endpoints. Volumes are named by their full name. */
export class Volumes {
  constructor(private readonly http: Transport) {}

  /** Filters: dangling, driver, label, name. */
  list(filters?: Record<string, string[]>): Promise<VolumeListResponse> {
    return this.http.json('GET', '/volumes', { query: { filters: encodeFilters(filters) } });
  }

  inspect(name: string): Promise<Volume> {
    return this.http.json('GET', `/volumes/${enc(name)}`);
  }

  /** Creates the volume, or answers the existing one of that name. */
  create(body: VolumeCreateBody = {}): Promise<Volume> {
    return this.http.json('POST', '/volumes/create', { json: body });
  }

  /** A conflict while a container uses it, forced or not; forced, a missing volume is no error. */
  remove(name: string, options: { force?: boolean } = {}): Promise<void> {
    return this.http.empty('DELETE', `/volumes/${enc(name)}`, { query: { force: options.force } });
  }

  /** Removes the volumes no container uses (filters: label, label!, all). */
  prune(filters?: Record<string, string[]>): Promise<VolumePruneResponse> {
    return this.http.json('POST', '/volumes/prune', { query: { filters: encodeFilters(filters) } });
  }

  /**
   * Polis's volume backup: a zstd-compressed tar with a manifest and content digest
   * (`GET /polis/v1/volumes/{name}/backup`); `pause` pauses the containers using it while it is read.
   */
  backup(name: string, options: { pause?: boolean } = {}): Promise<Readable> {
    return this.http.send('GET', `/polis/v1/volumes/${enc(name)}/backup`, {
      query: { pause: options.pause },
    });
  }

  /**
   * `backup` straight into `file` under Bun (`Transport.downloadToFile`; the file should exist, made with
   * the mode wanted, as the runtime keeps it). Resolves false elsewhere: then use `backup`.
   */
  backupToFile(name: string, file: string, options: { pause?: boolean } = {}): Promise<boolean> {
    return this.http.downloadToFile('GET', `/polis/v1/volumes/${enc(name)}/backup`, file, {
      query: { pause: options.pause },
    });
  }

  /** Recreates a volume from a backup stream, named as in the backup unless `name` is given. */
  restore(source: Readable | Buffer, options: { name?: string } = {}): Promise<Volume> {
    return this.http.json('POST', '/polis/v1/volumes/restore', {
      query: { name: options.name },
      body: source,
      headers: { 'Content-Type': 'application/zstd' },
    });
  }

  /** `restore` of a backup file: sent by the kernel under Bun (`Transport.jsonFromFile`). */
  restoreFile(file: string, options: { name?: string } = {}): Promise<Volume> {
    return this.http.jsonFromFile('POST', '/polis/v1/volumes/restore', file, {
      query: { name: options.name },
      headers: { 'Content-Type': 'application/zstd' },
    });
  }

  /** Polis's own: copies into `to` what changed in `name` (making `to` if missing). */
  sync(name: string, to: string, options: VolumeSyncOptions = {}): Promise<VolumeSyncResponse> {
    return this.http.json('POST', `/polis/v1/volumes/${enc(name)}/sync`, {
      query: { to, checksum: options.checksum, delete: options.delete, dryrun: options.dryRun },
    });
  }
}
