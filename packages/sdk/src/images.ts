import type { Readable } from 'node:stream';
import { PolisError } from '@polis/core/errors';
import { errorFromProgress } from './errors.js';
import { encodeFilters } from './filters.js';
import { jsonLines } from './stream/json-lines.js';
import type { Transport } from './transport.js';
import type {
  ImageDeleteItem,
  ImageImportOptions,
  ImageInspect,
  ImageListOptions,
  ImageRemoveOptions,
  ImageSummary,
  ProgressMessage,
} from './types/image.js';

const enc = encodeURIComponent;

/** `/images/...` endpoints. Names are references (`busybox`, `busybox:1.36`) or ids. */
export class Images {
  constructor(private readonly http: Transport) {}

  /**
   * Imports a root filesystem tarball (`docker import`): `POST /images/create?fromSrc=-` with the tarball
   * as the body. Follows the JSON-lines progress; the last status is the new image's id (`sha256:…`).
   */
  async import(
    source: Readable | Buffer | undefined,
    options: ImageImportOptions = {},
  ): Promise<{ id: string }> {
    const fromSrc = options.fromSrc ?? '-';
    const res = await this.http.send('POST', '/images/create', {
      query: {
        fromSrc,
        repo: options.repo,
        tag: options.tag,
        message: options.message,
        changes: options.changes,
        platform: options.platform,
      },
      ...(fromSrc === '-' && source !== undefined ? { body: source } : {}),
      headers: { 'Content-Type': 'application/x-tar' },
    });
    let last: string | undefined;
    for await (const msg of jsonLines<ProgressMessage>(res)) {
      if (msg.error !== undefined || msg.errorDetail?.message !== undefined) {
        const code = (msg.errorDetail as { code?: unknown } | undefined)?.code;
        throw errorFromProgress(
          msg.errorDetail?.message ?? msg.error ?? 'import failed',
          code,
          '/images/create',
        );
      }
      options.onProgress?.(msg);
      if (msg.status !== undefined) last = msg.status;
    }
    if (last === undefined) {
      throw new PolisError('request.failed', 'the daemon ended the import without an image id', {
        context: { path: '/images/create' },
      });
    }
    return { id: last };
  }

  list(options: ImageListOptions = {}): Promise<ImageSummary[]> {
    return this.http.json('GET', '/images/json', {
      query: { all: options.all, digests: options.digests, filters: encodeFilters(options.filters) },
    });
  }

  inspect(name: string): Promise<ImageInspect> {
    return this.http.json('GET', `/images/${enc(name)}/json`);
  }

  remove(name: string, options: ImageRemoveOptions = {}): Promise<ImageDeleteItem[]> {
    return this.http.json('DELETE', `/images/${enc(name)}`, {
      query: { force: options.force, noprune: options.noprune },
    });
  }

  /** Tags `name` as `repo[:tag]` (`tag` defaults to `latest` on the daemon). */
  tag(name: string, repo: string, tag?: string): Promise<void> {
    return this.http.empty('POST', `/images/${enc(name)}/tag`, { query: { repo, tag } });
  }
}
