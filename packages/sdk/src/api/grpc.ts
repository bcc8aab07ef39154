import { readFileSync } from 'node:fs';
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  type CallOptions as GrpcCallOptions,
  type Client,
  type ClientDuplexStream,
  type ClientReadableStream,
  type GrpcObject,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { isErrorCode, PolisError, type ErrorCode } from '@polis/core/errors';
import { POLIS_PROTO_DIR, POLIS_PROTO_FILE } from '@polis/core/proto-path';
import type { RegistryAuth } from '../auth/registry-auth.js';
import type { ContainerStats } from '../types/stats.js';
import type { Event } from '../types/event.js';
import { PushQueue } from './queue.js';
import type { CallOptions, ExecSession, FilterSet, OutputChunk, PolisApi, PullProgress } from './types.js';

export interface GrpcOptions {
  /** `<exec-root>/polis-grpc.sock` (default `/run/polis/polis-grpc.sock`). */
  socketPath?: string;
  /** `host:port` of a mutual-TLS gRPC listener (the REST TLS port + 1); needs `tls`. */
  address?: string;
  /** PEM file paths of the CA, the client certificate and its key. */
  tls?: { ca: string; cert: string; key: string };
}

export const DEFAULT_GRPC_SOCKET = '/run/polis/polis-grpc.sock';

/** The gRPC status codes a peer may send without a Polis code, as Polis's generic codes. */
const CODE_OF_STATUS: Record<number, ErrorCode> = {
  1: 'request.failed',
  3: 'request.invalid',
  4: 'request.unavailable',
  5: 'request.not_found',
  7: 'request.forbidden',
  8: 'no_space',
  9: 'request.conflict',
  12: 'request.not_implemented',
  14: 'daemon.unreachable',
  16: 'request.unauthorized',
};

/** A gRPC error as a typed PolisError: the daemon's code from the `polis-error-code` trailer. */
export function errorFromGrpc(err: ServiceError): PolisError {
  const sent = err.metadata?.get('polis-error-code')[0];
  const code =
    typeof sent === 'string' && isErrorCode(sent) ? sent : (CODE_OF_STATUS[err.code] ?? 'request.failed');
  return new PolisError(code, err.details || err.message, { context: { grpcStatus: err.code } });
}

type Services = Record<'Containers' | 'Images' | 'Networks' | 'Volumes' | 'System', Client>;
type Unary = (
  req: unknown,
  meta: Metadata,
  options: GrpcCallOptions,
  cb: (err: ServiceError | null, res: unknown) => void,
) => unknown;
type ServerStreaming = (req: unknown, options?: GrpcCallOptions) => ClientReadableStream<unknown>;
type Bidi = (options?: GrpcCallOptions) => ClientDuplexStream<unknown, unknown>;

let loaded: GrpcObject | undefined;
function v1(): GrpcObject {
  loaded ??= loadPackageDefinition(
    loadSync(POLIS_PROTO_FILE, {
      keepCase: false,
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
      includeDirs: [POLIS_PROTO_DIR],
    }),
  );
  return (loaded.polis as GrpcObject).v1 as GrpcObject;
}

function proto(filters: FilterSet | undefined): Record<string, { values: string[] }> {
  const out: Record<string, { values: string[] }> = {};
  for (const [k, values] of Object.entries(filters ?? {})) out[k] = { values };
  return out;
}

function aborted(): PolisError {
  return new PolisError('request.failed', 'the call was cancelled', { context: { cancelled: true } });
}

/** Calls a unary method; the signal cancels it. */
function call<T>(client: Client, method: string, request: unknown, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const fn = (client as unknown as Record<string, Unary>)[method] as Unary;
    const pending = fn.call(client, request, new Metadata(), {}, (err, res) =>
      err ? reject(signal?.aborted ? aborted() : errorFromGrpc(err)) : resolve(res as T),
    ) as { cancel(): void };
    signal?.addEventListener('abort', () => pending.cancel(), { once: true });
  });
}

/** A server stream as an async iterable; the signal (or leaving the loop) cancels the call. */
async function* stream<T>(
  client: Client,
  method: string,
  request: unknown,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  if (signal?.aborted) return;
  const fn = (client as unknown as Record<string, ServerStreaming>)[method] as ServerStreaming;
  const s = fn.call(client, request);
  const queue = new PushQueue<T>();
  const onAbort = (): void => s.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  s.on('data', (m: T) => queue.push(m));
  s.on('end', () => queue.end());
  s.on('error', (err: ServiceError) =>
    signal?.aborted || err.code === 1 ? queue.end() : queue.fail(errorFromGrpc(err)),
  );
  try {
    yield* queue;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    s.cancel();
  }
}

interface GrpcOutput {
  stream: 'STDOUT' | 'STDERR';
  data: Buffer;
}
interface ExecOutputMessage {
  kind: 'execId' | 'output' | 'exitCode';
  output?: GrpcOutput;
  exitCode?: number;
}

/** `PolisApi` over the Polis gRPC API (`polis.v1`). */
export class GrpcPolis implements PolisApi {
  readonly transport = 'grpc' as const;
  private readonly services: Services;

  constructor(options: GrpcOptions = {}) {
    const target = options.address ?? `unix://${options.socketPath ?? DEFAULT_GRPC_SOCKET}`;
    const creds = options.tls
      ? credentials.createSsl(
          readFileSync(options.tls.ca),
          readFileSync(options.tls.key),
          readFileSync(options.tls.cert),
        )
      : credentials.createInsecure();
    const pkg = v1();
    const make = (name: keyof Services): Client =>
      new (pkg[name] as ServiceClientConstructor)(target, creds, {
        'grpc.max_receive_message_length': 16 * 1024 * 1024,
        'grpc.enable_channelz': 0,
      });
    this.services = {
      Containers: make('Containers'),
      Images: make('Images'),
      Networks: make('Networks'),
      Volumes: make('Volumes'),
      System: make('System'),
    };
  }

  close(): void {
    for (const c of Object.values(this.services)) c.close();
  }

  private get c(): Client {
    return this.services.Containers;
  }

  readonly containers: PolisApi['containers'] = {
    create: async (body, o = {}) => {
      const r = await call<{ id: string; warnings: string[] }>(
        this.c,
        'Create',
        { bodyJson: JSON.stringify(body), name: o.name ?? '' },
        o.signal,
      );
      return { Id: r.id, Warnings: r.warnings };
    },
    start: async (id, o = {}) => void (await call(this.c, 'Start', { id }, o.signal)),
    stop: async (id, o = {}) =>
      void (await call(this.c, 'Stop', { id, timeout: o.timeout, signal: o.stopSignal }, o.signal)),
    kill: async (id, o = {}) => void (await call(this.c, 'Kill', { id, signal: o.killSignal }, o.signal)),
    remove: async (id, o = {}) =>
      void (await call(
        this.c,
        'Remove',
        { id, force: o.force ?? false, volumes: o.volumes ?? false },
        o.signal,
      )),
    inspect: async (id, o = {}) =>
      JSON.parse((await call<{ json: string }>(this.c, 'Inspect', { id }, o.signal)).json),
    list: async (o = {}) =>
      JSON.parse(
        (
          await call<{ json: string }>(
            this.c,
            'List',
            { all: o.all ?? false, filters: proto(o.filters) },
            o.signal,
          )
        ).json,
      ),
    wait: async (id, o = {}) => {
      const r = await call<{ statusCode: number; error: string }>(
        this.c,
        'Wait',
        { id, condition: o.condition ?? '' },
        o.signal,
      );
      return { StatusCode: r.statusCode, ...(r.error ? { Error: { Message: r.error } } : {}) };
    },
    logs: (id, o = {}) => this.logs(id, o),
    stats: (id, o = {}) => this.stats(id, o),
    exec: (id, cmd, o = {}) => this.exec(id, cmd, o),
    attach: (id, o = {}) => this.attach(id, o),
  };

  private async *logs(
    id: string,
    o: Parameters<PolisApi['containers']['logs']>[1] = {},
  ): AsyncGenerator<OutputChunk> {
    const request = {
      id,
      stdout: o.stdout ?? true,
      stderr: o.stderr ?? true,
      follow: o.follow ?? false,
      ...(o.tail !== undefined ? { tail: o.tail } : {}),
    };
    for await (const m of stream<GrpcOutput>(this.c, 'Logs', request, o.signal))
      yield { stream: m.stream === 'STDERR' ? 'stderr' : 'stdout', data: m.data };
  }

  private async *stats(id: string, o: CallOptions): AsyncGenerator<ContainerStats> {
    for await (const m of stream<{ json: string }>(this.c, 'Stats', { id }, o.signal))
      yield JSON.parse(m.json) as ContainerStats;
  }

  private exec(
    id: string,
    cmd: string[],
    o: Parameters<PolisApi['containers']['exec']>[2] = {},
  ): ExecSession {
    const start = {
      containerId: id,
      cmd,
      env: o.env ?? [],
      user: o.user ?? '',
      workingDir: o.workingDir ?? '',
      tty: o.tty ?? false,
      stdin: o.stdin ?? false,
      privileged: false,
    };
    return this.session('Exec', start, o.stdin ?? false, o.signal);
  }

  private attach(id: string, o: Parameters<PolisApi['containers']['attach']>[1] = {}): ExecSession {
    const start = { containerId: id, logs: o.logs ?? false, stdin: o.stdin ?? false };
    return this.session('Attach', start, o.stdin ?? false, o.signal);
  }

  /** A bidirectional call as a session: output in order, stdin and resizes out, the exit code last. */
  private session(
    method: 'Exec' | 'Attach',
    start: object,
    stdin: boolean,
    signal?: AbortSignal,
  ): ExecSession {
    const duplex = (this.c as unknown as Record<string, Bidi>)[method]!.call(this.c);
    const output = new PushQueue<OutputChunk>();
    let settle: { resolve(code: number): void; reject(err: unknown): void } | undefined;
    const exitCode = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
    exitCode.catch(() => undefined);
    let code: number | undefined;
    signal?.addEventListener('abort', () => duplex.cancel(), { once: true });
    duplex.on('data', (m: ExecOutputMessage) => {
      if (m.kind === 'output' && m.output)
        output.push({ stream: m.output.stream === 'STDERR' ? 'stderr' : 'stdout', data: m.output.data });
      else if (m.kind === 'exitCode') code = m.exitCode;
    });
    duplex.on('end', () => {
      output.end();
      if (code !== undefined) settle?.resolve(code);
      else
        settle?.reject(new PolisError('request.failed', `the ${method} stream ended without an exit code`));
    });
    duplex.on('error', (err: ServiceError) => {
      const e = signal?.aborted ? aborted() : errorFromGrpc(err);
      output.fail(e);
      settle?.reject(e);
    });
    duplex.write({ start });
    if (!stdin) duplex.end();
    return {
      write: (data) => void duplex.write({ stdin: Buffer.from(data) }),
      end: () => void duplex.end(),
      resize: async (height, width) => void duplex.write({ resize: { height, width } }),
      exitCode,
      [Symbol.asyncIterator]: () => output[Symbol.asyncIterator](),
    };
  }

  readonly images: PolisApi['images'] = {
    pull: (reference, o = {}) => this.pull(reference, o),
    list: async (o = {}) =>
      JSON.parse(
        (
          await call<{ json: string }>(
            this.services.Images,
            'List',
            { all: o.all ?? false, filters: proto(o.filters) },
            o.signal,
          )
        ).json,
      ),
    inspect: async (name, o = {}) =>
      JSON.parse(
        (await call<{ json: string }>(this.services.Images, 'Inspect', { id: name }, o.signal)).json,
      ),
    remove: async (name, o = {}) =>
      JSON.parse(
        (
          await call<{ json: string }>(
            this.services.Images,
            'Remove',
            { name, force: o.force ?? false },
            o.signal,
          )
        ).json,
      ),
  };

  private async *pull(
    reference: string,
    o: CallOptions & { auth?: RegistryAuth; platform?: string } = {},
  ): AsyncGenerator<PullProgress> {
    const request = { reference, platform: o.platform ?? '', authJson: o.auth ? JSON.stringify(o.auth) : '' };
    for await (const m of stream<PullProgress & { image: string }>(
      this.services.Images,
      'Pull',
      request,
      o.signal,
    )) {
      if (m.image) continue;
      yield { id: m.id, status: m.status, current: m.current, total: m.total };
    }
  }

  readonly networks: PolisApi['networks'] = {
    list: async (o = {}) =>
      JSON.parse(
        (
          await call<{ json: string }>(
            this.services.Networks,
            'List',
            { filters: proto(o.filters) },
            o.signal,
          )
        ).json,
      ),
    inspect: async (id, o = {}) =>
      JSON.parse((await call<{ json: string }>(this.services.Networks, 'Inspect', { id }, o.signal)).json),
    create: async (body, o = {}) => {
      const r = await call<{ id: string; warning: string }>(
        this.services.Networks,
        'Create',
        { json: JSON.stringify(body) },
        o.signal,
      );
      return { Id: r.id, Warning: r.warning };
    },
    remove: async (id, o = {}) => void (await call(this.services.Networks, 'Remove', { id }, o.signal)),
  };

  readonly volumes: PolisApi['volumes'] = {
    list: async (o = {}) =>
      JSON.parse(
        (await call<{ json: string }>(this.services.Volumes, 'List', { filters: proto(o.filters) }, o.signal))
          .json,
      ),
    inspect: async (name, o = {}) =>
      JSON.parse(
        (await call<{ json: string }>(this.services.Volumes, 'Inspect', { id: name }, o.signal)).json,
      ),
    create: async (body = {}, o = {}) =>
      JSON.parse(
        (
          await call<{ json: string }>(
            this.services.Volumes,
            'Create',
            { json: JSON.stringify(body) },
            o.signal,
          )
        ).json,
      ),
    remove: async (name, o = {}) =>
      void (await call(this.services.Volumes, 'Remove', { name, force: o.force ?? false }, o.signal)),
  };

  async *events(o: Parameters<PolisApi['events']>[0] = {}): AsyncGenerator<Event> {
    const ns = (t: Date | number | undefined): number => (t === undefined ? 0 : Number(t) * 1e6);
    const request = { filters: proto(o.filters), since: ns(o.since), until: ns(o.until) };
    for await (const m of stream<{ json: string }>(this.services.System, 'Events', request, o.signal))
      yield JSON.parse(m.json) as Event;
  }
}
