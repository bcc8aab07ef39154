import type {
  ContainerCreateBody,
  ContainerCreateResponse,
  ContainerInspect,
  ContainerSummary,
  ContainerWaitResponse,
  WaitCondition,
} from '../types/container.js';
import type { ContainerStats } from '../types/stats.js';
import type { Event } from '../types/event.js';
import type { ImageDeleteItem, ImageInspect, ImageSummary } from '../types/image.js';
import type { NetworkCreateBody, NetworkCreateResponse, NetworkResource } from '../types/network.js';
import type { Volume, VolumeCreateBody, VolumeListResponse } from '../types/volume.js';
import type { RegistryAuth } from '../auth/registry-auth.js';

/** Every method takes `signal`: aborting cancels the call (a gRPC cancel, or the HTTP request destroyed). */
export interface CallOptions {
  signal?: AbortSignal;
}

export type FilterSet = Record<string, string[]>;

/** Bytes a container or process wrote. With a TTY everything is `stdout`. */
export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

export interface LogStreamOptions extends CallOptions {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** The last N lines only. */
  tail?: number;
}

export interface ExecOptions extends CallOptions {
  /** Send input with `write` and `end`; without it the process's stdin is empty. */
  stdin?: boolean;
  tty?: boolean;
  env?: string[];
  user?: string;
  workingDir?: string;
}

/** A running process inside a container: its output as an async iterable, its stdin and exit code. */
export interface ExecSession extends AsyncIterable<OutputChunk> {
  write(data: string | Buffer): void;
  /** Closes the process's stdin (it reads EOF); output keeps flowing. */
  end(): void;
  resize(height: number, width: number): Promise<void>;
  /** Settles once the process has exited (read the output to the end first, or it may stall). */
  readonly exitCode: Promise<number>;
}

/** One step of a pull: a layer's id with its status and byte counts, or a heading. */
export interface PullProgress {
  id: string;
  status: string;
  current: number;
  total: number;
}

export interface EventsFilterOptions extends CallOptions {
  filters?: FilterSet;
  /** Replay history from this time (ms since the epoch, or a Date). */
  since?: Date | number;
  until?: Date | number;
}

/**
 * The one typed client surface over both transports (`connect({ transport: 'rest' | 'grpc' })`): the
 * same method names, Docker's shapes for objects, async iterables for streams, `signal` everywhere,
 * and errors as `PolisError` with the daemon's stable code (`container.not_found`, ...).
 */
export interface PolisApi {
  readonly transport: 'rest' | 'grpc';
  readonly containers: {
    create(
      body: ContainerCreateBody,
      options?: CallOptions & { name?: string },
    ): Promise<ContainerCreateResponse>;
    start(id: string, options?: CallOptions): Promise<void>;
    /** `timeout`: seconds before SIGKILL; `stopSignal`: the signal to send first. */
    stop(id: string, options?: CallOptions & { timeout?: number; stopSignal?: string }): Promise<void>;
    kill(id: string, options?: CallOptions & { killSignal?: string }): Promise<void>;
    remove(id: string, options?: CallOptions & { force?: boolean; volumes?: boolean }): Promise<void>;
    inspect(id: string, options?: CallOptions): Promise<ContainerInspect>;
    list(options?: CallOptions & { all?: boolean; filters?: FilterSet }): Promise<ContainerSummary[]>;
    wait(id: string, options?: CallOptions & { condition?: WaitCondition }): Promise<ContainerWaitResponse>;
    logs(id: string, options?: LogStreamOptions): AsyncIterable<OutputChunk>;
    /** Docker's stats objects about once a second until the signal aborts. */
    stats(id: string, options?: CallOptions): AsyncIterable<ContainerStats>;
    exec(id: string, cmd: string[], options?: ExecOptions): ExecSession;
    /**
     * Attaches to the container's output (and stdin with `stdin`, for a container created with
     * `OpenStdin`); the exit code settles once it stops. `logs` replays what it already wrote.
     */
    attach(id: string, options?: CallOptions & { stdin?: boolean; logs?: boolean }): ExecSession;
  };
  readonly images: {
    pull(
      reference: string,
      options?: CallOptions & { auth?: RegistryAuth; platform?: string },
    ): AsyncIterable<PullProgress>;
    list(options?: CallOptions & { all?: boolean; filters?: FilterSet }): Promise<ImageSummary[]>;
    inspect(name: string, options?: CallOptions): Promise<ImageInspect>;
    remove(name: string, options?: CallOptions & { force?: boolean }): Promise<ImageDeleteItem[]>;
  };
  readonly networks: {
    list(options?: CallOptions & { filters?: FilterSet }): Promise<NetworkResource[]>;
    inspect(id: string, options?: CallOptions): Promise<NetworkResource>;
    create(body: NetworkCreateBody, options?: CallOptions): Promise<NetworkCreateResponse>;
    remove(id: string, options?: CallOptions): Promise<void>;
  };
  readonly volumes: {
    list(options?: CallOptions & { filters?: FilterSet }): Promise<VolumeListResponse>;
    inspect(name: string, options?: CallOptions): Promise<Volume>;
    create(body?: VolumeCreateBody, options?: CallOptions): Promise<Volume>;
    remove(name: string, options?: CallOptions & { force?: boolean }): Promise<void>;
  };
  /** Past events from `since`, then live ones, until `until` or the signal aborts. */
  events(options?: EventsFilterOptions): AsyncIterable<Event>;
  close(): void;
}
