import type { Readable } from 'node:stream';
import { PolisError } from '@polis/core/errors';
import { encodeRegistryAuth } from './auth/registry-auth.js';
import { encodeFilters } from './filters.js';
import { familiarName, parseReference } from './reference.js';
import { jsonLines } from './stream/json-lines.js';
import { progressError, ProgressStream } from './stream/progress.js';
import type { Transport } from './transport.js';
import type {
  ImageDeleteItem,
  ImageHistoryItem,
  ImageImportOptions,
  ImageInspect,
  ImageListOptions,
  ImageLoadOptions,
  ImagePruneResponse,
  ImagePullOptions,
  ImagePushOptions,
  ImageRemoveOptions,
  ImageSummary,
  ProgressMessage,
} from './types/image.js';

const enc = encodeURIComponent;

/** `/images/...` endpoints. Names are references (`busybox`, `busybox:1.36`) or ids. */
/** One line of `POST /build`'s answer (Docker's classic builder). */
export interface BuildMessage {
  stream?: string;
  aux?: { ID?: string };
  error?: string;
  errorDetail?: { message?: string; code?: number };
}

export interface ImageBuildOptions {
  tags?: string[];
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  networkMode?: string;
  quiet?: boolean;
}

export class Images {
  constructor(private readonly http: Transport) {}

  /**
   * `POST /build` with a tar of the context as the body: the builder's JSON lines as they come, error
   * lines included (a failed RUN carries its exit code there; the caller decides what that means).
   */
  async *build(context: Readable | Buffer, options: ImageBuildOptions = {}): AsyncGenerator<BuildMessage> {
    const res = await this.http.send('POST', '/build', {
      query: {
        t: options.tags,
        dockerfile: options.dockerfile,
        buildargs: options.buildArgs ? JSON.stringify(options.buildArgs) : undefined,
        labels: options.labels ? JSON.stringify(options.labels) : undefined,
        target: options.target,
        nocache: options.noCache,
        pull: options.pull,
        networkmode: options.networkMode,
        q: options.quiet,
      },
      body: context,
      headers: { 'Content-Type': 'application/x-tar' },
    });
    yield* jsonLines<BuildMessage>(res);
  }

  /** `POST /build/prune`: drops the build cache. */
  pruneBuildCache(): Promise<{ CachesDeleted: string[] | null; SpaceReclaimed: number }> {
    return this.http.json('POST', '/build/prune');
  }

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
      const err = progressError(msg, '/images/create');
      if (err) throw err;
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

  /**
   * Pulls `ref` (`busybox`, `busybox:1.36`, `host:5000/app@sha256:…`; no tag means `latest`) from its
   * registry: `POST /images/create?fromImage=…&tag=…`. Iterate the result for the progress messages.
   */
  pull(ref: string, options: ImagePullOptions = {}): ProgressStream {
    const parsed = parseReference(ref);
    const query = {
      fromImage: familiarName(parsed),
      tag: parsed.digest ?? parsed.tag ?? 'latest',
      platform: options.platform,
    };
    const headers = options.auth ? { 'X-Registry-Auth': encodeRegistryAuth(options.auth) } : undefined;
    return new ProgressStream(
      () => this.http.send('POST', '/images/create', { query, ...(headers ? { headers } : {}) }),
      '/images/create',
    );
  }

  /** Pushes `name[:tag]` to its registry: `POST /images/{name}/push?tag=…`. */
  push(ref: string, options: ImagePushOptions = {}): ProgressStream {
    const parsed = parseReference(ref);
    if (parsed.digest !== undefined) {
      throw new PolisError('image.reference_invalid', 'cannot push a digest reference', {
        context: { reference: ref },
      });
    }
    const name = familiarName(parsed);
    const tag = options.allTags ? undefined : (options.tag ?? parsed.tag ?? 'latest');
    const path = `/images/${enc(name)}/push`;
    return new ProgressStream(
      () =>
        this.http.send('POST', path, {
          query: { tag },
          headers: { 'X-Registry-Auth': encodeRegistryAuth(options.auth) },
        }),
      path,
    );
  }

  /** `docker save`: a tar stream of the images (with their tags), `GET /images/get?names=…`. */
  save(names: string | string[]): Promise<Readable> {
    return this.http.send('GET', '/images/get', { query: { names: ([] as string[]).concat(names) } });
  }

  /** `docker load`: sends a tar stream (from `save`); the messages name what was loaded. */
  load(source: Readable | Buffer, options: ImageLoadOptions = {}): ProgressStream {
    return new ProgressStream(
      () =>
        this.http.send('POST', '/images/load', {
          query: { quiet: options.quiet ? '1' : '0' },
          body: source,
          headers: { 'Content-Type': 'application/x-tar' },
        }),
      '/images/load',
    );
  }

  /** The image's layers and the steps that made them, newest first. */
  history(name: string): Promise<ImageHistoryItem[]> {
    return this.http.json('GET', `/images/${enc(name)}/history`);
  }

  /** Removes unused images: dangling ones, or with `{dangling: ['false']}` every image no container uses. */
  prune(filters: Record<string, string[]> = {}): Promise<ImagePruneResponse> {
    return this.http.json('POST', '/images/prune', { query: { filters: encodeFilters(filters) } });
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
