import type { Readable } from 'node:stream';
import { PolisError } from '@polis/core/errors';
import { encodeRegistryAuth } from '../auth/registry-auth.js';
import { eventTimeParam } from '../events.js';
import { Containers } from '../containers.js';
import { Execs } from '../exec.js';
import { defaultHost, parseHost } from '../host.js';
import { progressError } from '../stream/progress.js';
import { FrameDemuxer, STDERR, SYSTEMERR } from '../stream/demux.js';
import { jsonLines } from '../stream/json-lines.js';
import { resolveTls, tlsRequestOptions, type ClientTls } from '../tls.js';
import { Transport } from '../transport.js';
import type { ContainerInspect } from '../types/container.js';
import type { ProgressMessage } from '../types/image.js';
import { PushQueue } from './queue.js';
import type { CallOptions, ExecSession, FilterSet, OutputChunk, PolisApi, PullProgress } from './types.js';

const enc = encodeURIComponent;

export interface RestOptions {
  /** `unix:///path.sock` or `tcp://host:port`; default as `PolisClient`'s. */
  host?: string;
  tls?: ClientTls | false;
}

function filtersText(filters: FilterSet | undefined): string | undefined {
  return filters && Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined;
}

function sig(options: CallOptions | undefined): { signal?: AbortSignal } {
  return options?.signal ? { signal: options.signal } : {};
}

/** Output chunks from a raw (TTY) or multiplexed stream. */
async function* chunks(
  source: Readable,
  multiplexed: boolean,
  signal?: AbortSignal,
): AsyncGenerator<OutputChunk> {
  const queue = new PushQueue<OutputChunk>();
  const demuxer = new FrameDemuxer((stream, payload) => {
    if (stream === SYSTEMERR) queue.fail(new PolisError('request.failed', payload.toString('utf8').trim()));
    else queue.push({ stream: stream === STDERR ? 'stderr' : 'stdout', data: Buffer.from(payload) });
  });
  source.on('data', (c: Buffer) =>
    multiplexed ? demuxer.push(c) : queue.push({ stream: 'stdout', data: c }),
  );
  source.on('end', () => queue.end());
  source.on('close', () => queue.end());
  source.on('error', (err) => (signal?.aborted ? queue.end() : queue.fail(err)));
  if (source.readableEnded) queue.end();
  try {
    yield* queue;
  } finally {
    source.destroy();
  }
}

/** `PolisApi` over Docker's REST API (unix socket, or TCP with mutual TLS). */
export class RestPolis implements PolisApi {
  readonly transport = 'rest' as const;
  private readonly http: Transport;

  constructor(options: RestOptions = {}) {
    const tls = options.tls === undefined ? resolveTls() : options.tls || undefined;
    const endpoint = parseHost(options.host ?? defaultHost(), tls !== undefined);
    this.http = new Transport(
      endpoint,
      tls && endpoint.socketPath === undefined ? tlsRequestOptions(tls) : undefined,
    );
  }

  close(): void {
    this.http.close();
  }

  readonly containers: PolisApi['containers'] = {
    create: (body, o = {}) =>
      this.http.json('POST', '/containers/create', { query: { name: o.name }, json: body, ...sig(o) }),
    start: async (id, o = {}) => void (await this.http.json('POST', `/containers/${enc(id)}/start`, sig(o))),
    stop: async (id, o = {}) =>
      void (await this.http.json('POST', `/containers/${enc(id)}/stop`, {
        query: { t: o.timeout, signal: o.stopSignal },
        ...sig(o),
      })),
    kill: async (id, o = {}) =>
      void (await this.http.json('POST', `/containers/${enc(id)}/kill`, {
        query: { signal: o.killSignal },
        ...sig(o),
      })),
    remove: async (id, o = {}) =>
      void (await this.http.json('DELETE', `/containers/${enc(id)}`, {
        query: { force: o.force, v: o.volumes },
        ...sig(o),
      })),
    inspect: (id, o = {}) => this.http.json<ContainerInspect>('GET', `/containers/${enc(id)}/json`, sig(o)),
    list: (o = {}) =>
      this.http.json('GET', '/containers/json', {
        query: { all: o.all, filters: filtersText(o.filters) },
        ...sig(o),
      }),
    wait: (id, o = {}) =>
      this.http.json('POST', `/containers/${enc(id)}/wait`, { query: { condition: o.condition }, ...sig(o) }),
    logs: (id, o = {}) => this.logs(id, o),
    stats: (id, o = {}) => this.stats(id, o),
    exec: (id, cmd, o = {}) => this.exec(id, cmd, o),
    attach: (id, o = {}) => this.attach(id, o),
  };

  private async *logs(
    id: string,
    o: Parameters<PolisApi['containers']['logs']>[1] = {},
  ): AsyncGenerator<OutputChunk> {
    const inspect = await this.containers.inspect(id, sig(o));
    const res = await this.http.send('GET', `/containers/${enc(id)}/logs`, {
      query: { follow: o.follow, stdout: o.stdout ?? true, stderr: o.stderr ?? true, tail: o.tail },
      ...sig(o),
    });
    yield* chunks(res, !inspect.Config.Tty, o.signal);
  }

  private async *stats(
    id: string,
    o: CallOptions,
  ): AsyncGenerator<import('../types/stats.js').ContainerStats> {
    const res = await this.http.send('GET', `/containers/${enc(id)}/stats`, {
      query: { stream: 'true' },
      ...sig(o),
    });
    try {
      for await (const s of jsonLines<import('../types/stats.js').ContainerStats>(res)) yield s;
    } catch (err) {
      if (!o.signal?.aborted) throw err;
    } finally {
      res.destroy();
    }
  }

  private exec(
    id: string,
    cmd: string[],
    o: Parameters<PolisApi['containers']['exec']>[2] = {},
  ): ExecSession {
    const execs = new Execs(this.http);
    const output = new PushQueue<OutputChunk>();
    const pending: (string | Buffer | null)[] = [];
    let stdin: NodeJS.WritableStream | undefined;
    let execId: string | undefined;
    const started = (async () => {
      const { Id } = await execs.create(id, {
        Cmd: cmd,
        AttachStdin: o.stdin === true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: o.tty === true,
        ...(o.env ? { Env: o.env } : {}),
        ...(o.user ? { User: o.user } : {}),
        ...(o.workingDir ? { WorkingDir: o.workingDir } : {}),
      });
      execId = Id;
      const attached = await execs.start(Id, { tty: o.tty === true });
      o.signal?.addEventListener('abort', () => attached.socket?.destroy(), { once: true });
      stdin = attached.stdin;
      for (const p of pending.splice(0)) {
        if (p === null) attached.closeStdin();
        else stdin?.write(p);
      }
      for await (const c of chunks(attached.raw, o.tty !== true, o.signal)) output.push(c);
      output.end();
      return execs.exitCode(Id);
    })();
    started.catch((err: unknown) => output.fail(err));
    return {
      write: (data) => (stdin ? void stdin.write(data) : void pending.push(data)),
      end: () => (stdin ? void (stdin as NodeJS.WritableStream).end() : void pending.push(null)),
      resize: async (h, w) => {
        if (execId) await execs.resize(execId, { h, w });
      },
      exitCode: started,
      [Symbol.asyncIterator]: () => output[Symbol.asyncIterator](),
    };
  }

  private attach(id: string, o: Parameters<PolisApi['containers']['attach']>[1] = {}): ExecSession {
    const containers = new Containers(this.http);
    const output = new PushQueue<OutputChunk>();
    const pending: (string | Buffer | null)[] = [];
    let stdin: NodeJS.WritableStream | undefined;
    let closeStdin: (() => void) | undefined;
    const done = (async () => {
      const attached = await containers.attach(id, { stdin: o.stdin === true, logs: o.logs === true });
      o.signal?.addEventListener('abort', () => attached.socket?.destroy(), { once: true });
      stdin = attached.stdin;
      closeStdin = () => attached.closeStdin();
      for (const p of pending.splice(0)) {
        if (p === null) attached.closeStdin();
        else stdin?.write(p);
      }
      for await (const c of chunks(attached.raw, attached.multiplexed, o.signal)) output.push(c);
      output.end();
      // The output ends when the container stops: its exit code is the one recorded last.
      return (await this.containers.wait(id, sig(o))).StatusCode;
    })();
    done.catch((err: unknown) => output.fail(err));
    return {
      write: (data) => (stdin ? void stdin.write(data) : void pending.push(data)),
      end: () => (closeStdin ? closeStdin() : void pending.push(null)),
      resize: async (h, w) => void (await containers.resize(id, { h, w })),
      exitCode: done,
      [Symbol.asyncIterator]: () => output[Symbol.asyncIterator](),
    };
  }

  readonly images: PolisApi['images'] = {
    pull: (reference, o = {}) => this.pull(reference, o),
    list: (o = {}) =>
      this.http.json('GET', '/images/json', {
        query: { all: o.all, filters: filtersText(o.filters) },
        ...sig(o),
      }),
    inspect: (name, o = {}) => this.http.json('GET', `/images/${enc(name)}/json`, sig(o)),
    remove: (name, o = {}) =>
      this.http.json('DELETE', `/images/${enc(name)}`, { query: { force: o.force }, ...sig(o) }),
  };

  private async *pull(
    reference: string,
    o: Parameters<PolisApi['images']['pull']>[1] = {},
  ): AsyncGenerator<PullProgress> {
    const res = await this.http.send('POST', '/images/create', {
      query: { fromImage: reference, platform: o.platform },
      headers: o.auth ? { 'X-Registry-Auth': encodeRegistryAuth(o.auth) } : {},
      ...sig(o),
    });
    try {
      for await (const msg of jsonLines<ProgressMessage>(res)) {
        const err = progressError(msg, '/images/create');
        if (err) throw err;
        yield {
          id: msg.id ?? '',
          status: msg.status ?? '',
          current: msg.progressDetail?.current ?? 0,
          total: msg.progressDetail?.total ?? 0,
        };
      }
    } finally {
      res.destroy();
    }
  }

  readonly networks: PolisApi['networks'] = {
    list: (o = {}) =>
      this.http.json('GET', '/networks', { query: { filters: filtersText(o.filters) }, ...sig(o) }),
    inspect: (id, o = {}) => this.http.json('GET', `/networks/${enc(id)}`, sig(o)),
    create: (body, o = {}) => this.http.json('POST', '/networks/create', { json: body, ...sig(o) }),
    remove: async (id, o = {}) => void (await this.http.json('DELETE', `/networks/${enc(id)}`, sig(o))),
  };

  readonly volumes: PolisApi['volumes'] = {
    list: (o = {}) =>
      this.http.json('GET', '/volumes', { query: { filters: filtersText(o.filters) }, ...sig(o) }),
    inspect: (name, o = {}) => this.http.json('GET', `/volumes/${enc(name)}`, sig(o)),
    create: (body = {}, o = {}) => this.http.json('POST', '/volumes/create', { json: body, ...sig(o) }),
    remove: async (name, o = {}) =>
      void (await this.http.json('DELETE', `/volumes/${enc(name)}`, {
        query: { force: o.force },
        ...sig(o),
      })),
  };

  async *events(
    o: Parameters<PolisApi['events']>[0] = {},
  ): AsyncGenerator<import('../types/event.js').Event> {
    const res = await this.http.send('GET', '/events', {
      query: {
        filters: filtersText(o.filters),
        since: o.since === undefined ? undefined : eventTimeParam(o.since),
        until: o.until === undefined ? undefined : eventTimeParam(o.until),
      },
      ...sig(o),
    });
    try {
      for await (const e of jsonLines<import('../types/event.js').Event>(res)) yield e;
    } catch (err) {
      if (!o.signal?.aborted) throw err;
    } finally {
      res.destroy();
    }
  }
}
