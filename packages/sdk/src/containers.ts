import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { ContainerOutput, multiplexedFromContentType } from './stream/demux.js';
import { encodeFilters } from './filters.js';
import { jsonLines } from './stream/json-lines.js';
import type { ContainerStats } from './types/stats.js';
import type { CentralLogLine, CentralLogsOptions } from './types/logs.js';
import { readBody, type Transport } from './transport.js';
import type {
  AttachOptions,
  ContainerChange,
  ContainerCommitOptions,
  ContainerCreateBody,
  ContainerCreateOptions,
  ContainerCreateResponse,
  ContainerInspect,
  ContainerListOptions,
  ContainerSecurityReport,
  ContainerSummary,
  ContainerUpdateBody,
  ContainerUpdateResponse,
  ContainerWaitResponse,
  LogsOptions,
  RemoveOptions,
  WaitCondition,
} from './types/container.js';
import type { TopResponse } from './types/event.js';
import type { ContainerPathStat, PutArchiveOptions } from './types/archive.js';
import type { PortMapping } from './types/network.js';
import type { TerminalSize } from './types/exec.js';

/** An attached container: its output, and its stdin when attached with `stdin`. */
export class AttachedContainer extends ContainerOutput {
  constructor(
    raw: Readable,
    multiplexed: boolean,
    /** The hijacked connection; undefined when the daemon streamed on a plain response. */
    readonly socket?: Socket,
  ) {
    super(raw, multiplexed);
  }

  /** The container's stdin (the connection's writable side), when attached with `stdin`. */
  get stdin(): Writable | undefined {
    return this.socket;
  }

  /** Half-closes the connection: the container reads EOF on stdin, output keeps flowing. */
  closeStdin(): void {
    this.socket?.end();
  }
}

/** A wait the daemon has registered; `result` settles when the condition is met. */
export interface PendingWait {
  result: Promise<ContainerWaitResponse>;
}

const enc = encodeURIComponent;

/** `/containers/...` endpoints. Ids may be full ids, unique prefixes or names. */
export class Containers {
  constructor(private readonly http: Transport) {}

  create(body: ContainerCreateBody, options: ContainerCreateOptions = {}): Promise<ContainerCreateResponse> {
    return this.http.json('POST', '/containers/create', {
      query: { name: options.name, platform: options.platform },
      json: body,
    });
  }

  list(options: ContainerListOptions = {}): Promise<ContainerSummary[]> {
    return this.http.json('GET', '/containers/json', {
      query: {
        all: options.all,
        limit: options.limit !== undefined && options.limit > 0 ? options.limit : undefined,
        size: options.size,
        filters: encodeFilters(options.filters),
      },
    });
  }

  inspect(id: string, options: { size?: boolean } = {}): Promise<ContainerInspect> {
    return this.http.json('GET', `/containers/${enc(id)}/json`, { query: { size: options.size } });
  }

  /**
   * The container's published ports (`docker port`), ordered by port: all of them, or those of one
   * container port (`80`, `80/tcp`, `53/udp`). Empty while the container does not run.
   */
  async ports(id: string, containerPort?: string): Promise<PortMapping[]> {
    const published = (await this.inspect(id)).NetworkSettings?.Ports ?? {};
    const wanted =
      containerPort === undefined || containerPort.includes('/') ? containerPort : `${containerPort}/tcp`;
    const out: PortMapping[] = [];
    for (const [port, bindings] of Object.entries(published)) {
      if (wanted !== undefined && port !== wanted) continue;
      for (const b of bindings ?? []) out.push({ port, hostIp: b.HostIp, hostPort: b.HostPort });
    }
    const number = (p: PortMapping): number => Number.parseInt(p.port, 10);
    return out.sort((a, b) => number(a) - number(b) || a.port.localeCompare(b.port));
  }

  /** `HEAD /containers/{id}/archive`: the stat of a path in the container (`docker cp` asks first). */
  async statPath(id: string, path: string): Promise<ContainerPathStat> {
    const res = await this.http.send('HEAD', `/containers/${enc(id)}/archive`, { query: { path } });
    res.resume();
    return decodePathStat(res.headers['x-docker-container-path-stat']);
  }

  /** `GET /containers/{id}/archive`: a tar stream of the path, and its stat. */
  async getArchive(id: string, path: string): Promise<{ stat: ContainerPathStat; stream: Readable }> {
    const res = await this.http.send('GET', `/containers/${enc(id)}/archive`, { query: { path } });
    return { stat: decodePathStat(res.headers['x-docker-container-path-stat']), stream: res };
  }

  /** `PUT /containers/{id}/archive`: extracts a tar into the directory at `path` in the container. */
  putArchive(
    id: string,
    path: string,
    tar: Readable | Buffer,
    options: PutArchiveOptions = {},
  ): Promise<void> {
    return this.http.empty('PUT', `/containers/${enc(id)}/archive`, {
      query: {
        path,
        noOverwriteDirNonDir: options.noOverwriteDirNonDir ?? false,
        copyUIDGID: options.copyUIDGID ?? false,
      },
      body: tar,
      headers: { 'Content-Type': 'application/x-tar' },
    });
  }

  /** Resolves also when the container was already running (304). */
  start(id: string): Promise<void> {
    return this.http.empty('POST', `/containers/${enc(id)}/start`);
  }

  stop(id: string, options: { t?: number; signal?: string } = {}): Promise<void> {
    return this.http.empty('POST', `/containers/${enc(id)}/stop`, {
      query: { t: options.t, signal: options.signal },
    });
  }

  kill(id: string, options: { signal?: string } = {}): Promise<void> {
    return this.http.empty('POST', `/containers/${enc(id)}/kill`, { query: { signal: options.signal } });
  }

  restart(id: string, options: { t?: number; signal?: string } = {}): Promise<void> {
    return this.http.empty('POST', `/containers/${enc(id)}/restart`, {
      query: { t: options.t, signal: options.signal },
    });
  }

  pause(id: string): Promise<void> {
    return this.http.empty('POST', `/containers/${enc(id)}/pause`);
  }

  unpause(id: string): Promise<void> {
    return this.http.empty('POST', `/containers/${enc(id)}/unpause`);
  }

  rename(id: string, name: string): Promise<void> {
    return this.http.empty('POST', `/containers/${enc(id)}/rename`, { query: { name } });
  }

  remove(id: string, options: RemoveOptions = {}): Promise<void> {
    return this.http.empty('DELETE', `/containers/${enc(id)}`, {
      query: { force: options.force, v: options.v },
    });
  }

  /** Changes settings of an existing container (its restart policy). */
  update(id: string, body: ContainerUpdateBody): Promise<ContainerUpdateResponse> {
    return this.http.json('POST', `/containers/${enc(id)}/update`, { json: body });
  }

  /**
   * The container's processes as the host's `ps` lists them (`psArgs` default `-ef` on the daemon). Fails
   * with a conflict when the container is not running.
   */
  top(id: string, options: { psArgs?: string } = {}): Promise<TopResponse> {
    return this.http.json('GET', `/containers/${enc(id)}/top`, { query: { ps_args: options.psArgs } });
  }

  /**
   * One stats object: with `oneShot` the first reading at once (no `precpu_stats`), else after a second
   * reading, so that rates can be computed from `cpu_stats` against `precpu_stats`.
   */
  stats(id: string, options: { oneShot?: boolean } = {}): Promise<ContainerStats> {
    return this.http.json('GET', `/containers/${enc(id)}/stats`, {
      query: { stream: 'false', 'one-shot': options.oneShot ? 'true' : undefined },
    });
  }

  /** Stats objects once a second until the signal aborts or the container is removed. */
  async *statsStream(id: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<ContainerStats> {
    const res = await this.http.send('GET', `/containers/${enc(id)}/stats`, {
      query: { stream: 'true' },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    try {
      for await (const s of jsonLines<ContainerStats>(res)) yield s;
    } catch (err) {
      if (!options.signal?.aborted) throw err;
    } finally {
      res.destroy();
    }
  }

  /** Polis's security report of a running container, read from the kernel; a conflict when it is not running. */
  security(id: string): Promise<ContainerSecurityReport> {
    return this.http.json('GET', `/polis/v1/containers/${enc(id)}/security`);
  }

  /** `docker diff`: the files the container added, changed or deleted against its image. */
  changes(id: string): Promise<ContainerChange[]> {
    return this.http.json('GET', `/containers/${enc(id)}/changes`);
  }

  /** `docker export`: a tar stream of the container's whole file system. */
  export(id: string): Promise<Readable> {
    return this.http.send('GET', `/containers/${enc(id)}/export`);
  }

  /** `docker commit`: a new image from the container's changes; resolves with its id. */
  async commit(id: string, options: ContainerCommitOptions = {}): Promise<string> {
    const { Id } = await this.http.json<{ Id: string }>('POST', '/commit', {
      query: {
        container: id,
        repo: options.repo,
        tag: options.tag,
        comment: options.comment,
        author: options.author,
        changes: options.changes,
        // Sent either way: the daemon's default is to pause.
        pause: options.pause === false ? '0' : '1',
      },
    });
    return Id;
  }

  /** Sets the size of the container's TTY (its main process gets SIGWINCH). */
  resize(id: string, size: TerminalSize): Promise<void> {
    return this.http.empty('POST', `/containers/${enc(id)}/resize`, { query: { h: size.h, w: size.w } });
  }

  /** Waits for the condition (`not-running` by default) and returns the exit status. */
  async wait(id: string, options: { condition?: WaitCondition } = {}): Promise<ContainerWaitResponse> {
    return (await this.startWait(id, options)).result;
  }

  /**
   * Registers a wait and resolves as soon as the daemon answered the headers (it has registered the wait),
   * before the condition is met. `docker run` does this before starting, so a quick exit is not missed.
   */
  async startWait(id: string, options: { condition?: WaitCondition } = {}): Promise<PendingWait> {
    const path = `/containers/${enc(id)}/wait`;
    const request = { query: { condition: options.condition } };
    // Under Bun through fetch (its headers come when the wait is registered, as node:http's do).
    const streamed = await this.http.fetchStream('POST', path, request);
    const res = streamed?.body ?? (await this.http.send('POST', path, request));
    const result = readBody(res).then((text) => JSON.parse(text) as ContainerWaitResponse);
    return { result };
  }

  /**
   * Attaches to the container's streams over a hijacked connection (`Upgrade: tcp`). The output is
   * demultiplexed unless the container has a TTY: pass `tty` when known, else the container is inspected
   * (unless the daemon says which in the content type).
   */
  async attach(id: string, options: AttachOptions & { tty?: boolean } = {}): Promise<AttachedContainer> {
    const path = `/containers/${enc(id)}/attach`;
    const query = {
      stream: options.stream ?? true,
      logs: options.logs,
      stdin: options.stdin,
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      detachKeys: options.detachKeys,
    };
    if (options.stdin !== true) {
      // Nothing to send: under Bun the output streams back on a plain answer through fetch (the daemon
      // has attached when its headers come, as with the 101 of a hijack).
      const streamed = await this.http.fetchStream('POST', path, { query });
      if (streamed) {
        const multiplexed = await this.multiplexed(id, streamed.headers['content-type'], options.tty);
        return new AttachedContainer(streamed.body, multiplexed);
      }
    }
    const hijacked = await this.http.hijack('POST', path, { query });
    if (isResponse(hijacked)) {
      const multiplexed = await this.multiplexed(id, hijacked.headers['content-type'], options.tty);
      return new AttachedContainer(hijacked, multiplexed);
    }
    const { socket, head, headers } = hijacked;
    const multiplexed = await this.multiplexed(id, headers['content-type'], options.tty);
    if (head.length > 0) socket.unshift(head);
    return new AttachedContainer(socket, multiplexed, socket);
  }

  /**
   * The central log (`GET /polis/v1/logs`, Polis's own): the lines of every container matching
   * `filters` (label, name, id, project, status), merged by time; with `follow`, new lines as they come.
   */
  async centralLogs(options: CentralLogsOptions = {}): Promise<AsyncIterable<CentralLogLine>> {
    const res = await this.http.send('GET', '/polis/v1/logs', {
      query: {
        filters: encodeFilters(options.filters),
        follow: options.follow,
        since: options.since,
        until: options.until,
        tail: options.tail,
      },
    });
    return jsonLines<CentralLogLine>(res);
  }

  /** The container's log (`follow` keeps it open while the container runs). */
  async logs(id: string, options: LogsOptions = {}): Promise<ContainerOutput> {
    const res = await this.http.send('GET', `/containers/${enc(id)}/logs`, {
      query: {
        follow: options.follow,
        stdout: options.stdout ?? true,
        stderr: options.stderr ?? true,
        since: options.since,
        until: options.until,
        timestamps: options.timestamps,
        tail: options.tail,
      },
    });
    return new ContainerOutput(res, await this.multiplexed(id, res.headers['content-type'], options.tty));
  }

  private async multiplexed(
    id: string,
    contentType: string | undefined,
    tty: boolean | undefined,
  ): Promise<boolean> {
    const declared = multiplexedFromContentType(contentType);
    if (declared !== undefined) return declared;
    if (tty !== undefined) return !tty;
    return !(await this.inspect(id)).Config.Tty;
  }
}

function isResponse(x: unknown): x is IncomingMessage {
  return typeof (x as IncomingMessage).statusCode === 'number';
}

function decodePathStat(header: string | string[] | undefined): ContainerPathStat {
  const text = Buffer.from([header].flat()[0] ?? '', 'base64').toString('utf8');
  return JSON.parse(text === '' ? '{}' : text) as ContainerPathStat;
}
