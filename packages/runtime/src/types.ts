import type { ProbeOptions, ProbeResult } from './exec/probe.js';
import type { SecurityReport } from './inspect/security-report.js';
import type { FsChange } from '@polis/image';
import type { CommitOptions } from './lifecycle/commit.js';
import type { ResourceUpdate } from './lifecycle/update.js';
import type {
  ContainerRecord,
  ContainerSpec,
  HealthProbeResult,
  ContainerHealthStatus,
  ImageRecord,
} from '@polis/core';
import type { Readable } from 'node:stream';
import type { RunTrace } from './trace/run-trace.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface CreateOptions {
  name?: string;
  /** When the create request arrived (`performance.now()`), so the run's trace counts its parsing. */
  traceSince?: number;
}

export interface StopOptions {
  /** Seconds before SIGKILL; the container's own StopTimeout (or 10) when absent. */
  timeout?: number;
  signal?: string;
}

export interface RemoveOptions {
  force?: boolean;
  volumes?: boolean;
}

export interface ListOptions {
  all?: boolean;
  limit?: number;
  /** Docker filters: id, name, status, label, ancestor, exited, before, since. */
  filters?: Record<string, string[]>;
}

export interface LogOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  /** Unix seconds (fractional); entries strictly before are skipped. */
  since?: number;
  until?: number;
  /** Last N lines; undefined for all. */
  tail?: number;
}

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** RFC 3339 with nanoseconds, as conmon wrote it. */
  time: string;
  /** The bytes, including the trailing newline when the line was complete. */
  data: Buffer;
}

export interface AttachOptions {
  /** Replay what was already logged before streaming. */
  logs: boolean;
  stream: boolean;
  stdout: boolean;
  stderr: boolean;
  /** The client's input when it attached with stdin; copy it to the container's stdin (OpenStdin). */
  stdin?: Readable;
  /** Docker's detach keys (default `ctrl-p,ctrl-q`); the sequence ends the attach. */
  detachKeys?: string;
}

export interface WaitResult {
  StatusCode: number;
  Error?: { Message: string };
}

/** Events the runtime emits as containers change (the event bus of the monitor issue builds on this). */
export interface ContainerEvent {
  action: string;
  id: string;
  name: string;
  image: string;
  attributes?: Record<string, string>;
  time: number;
}

export interface UpdateOptions {
  restartPolicy?: ContainerSpec['lifecycle']['restartPolicy'];
  /** Limits to change; absent keys stay, -1 lifts a pids or swap limit. */
  resources?: ResourceUpdate;
}

/** `ps` output of a container's processes: Docker's `top` shape. */
export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/** Docker's `ContainerPathStat` (`X-Docker-Container-Path-Stat`): mode in Go's `os.FileMode` bits. */
export interface ContainerPathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

export interface PutArchiveOptions {
  copyUidGid?: boolean;
  noOverwriteDirNonDir?: boolean;
}

/** Copy in and out (`/containers/{id}/archive`), confined to the container's root. */
export interface ContainerArchive {
  statPath(reference: string, path: string): Promise<ContainerPathStat>;
  /** The stat and a tar of the path; the container stays locked until the stream ends or is destroyed. */
  getArchive(reference: string, path: string): Promise<{ stat: ContainerPathStat; stream: Readable }>;
  /** Extracts a tar into the directory at `path`. */
  putArchive(reference: string, path: string, input: Readable, options?: PutArchiveOptions): Promise<void>;
}

/** What the API needs from the runtime. */
export interface ContainerService extends ContainerArchive {
  create(spec: ContainerSpec, options?: CreateOptions): Promise<ContainerRecord>;
  start(reference: string): Promise<ContainerRecord>;
  stop(reference: string, options?: StopOptions): Promise<void>;
  kill(reference: string, signal?: string): Promise<void>;
  restart(reference: string, options?: StopOptions): Promise<void>;
  pause(reference: string): Promise<void>;
  unpause(reference: string): Promise<void>;
  remove(reference: string, options?: RemoveOptions): Promise<void>;
  rename(reference: string, newName: string): Promise<void>;
  /** Resolves when the condition is met. Registers before returning a promise, so wait-then-start works. */
  wait(reference: string, condition: WaitCondition, signal?: AbortSignal): Promise<WaitResult>;
  /** By full id, name, or unique id prefix; throws `container.not_found`. */
  get(reference: string): ContainerRecord;
  list(options?: ListOptions): ContainerRecord[];
  /** The pid of a running (or paused) container's first process by full id, else undefined; cheap. */
  runningPid(id: string): number | undefined;
  logs(reference: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogEntry>;
  attach(reference: string, options: AttachOptions, signal?: AbortSignal): AsyncIterable<LogEntry>;
  update(reference: string, changes: UpdateOptions): Promise<void>;
  /** Resizes the container's terminal (TTY containers). */
  resize(reference: string, height: number, width: number): Promise<void>;
  top(reference: string, psArgs?: string): Promise<TopResult>;
  /** The kernel's view of a running container's capabilities, seccomp, namespaces, mounts and limits. */
  security(reference: string): Promise<SecurityReport>;
  createExec(reference: string, config: ExecConfig): ExecRecord;
  startExec(id: string, options: ExecStartOptions, signal?: AbortSignal): Promise<AsyncIterable<LogEntry>>;
  inspectExec(id: string): ExecRecord;
  /** Kills a running exec and every process it started (a health probe past its timeout). */
  killExec(id: string): void;
  /** Drops a finished exec session nobody will inspect. */
  forgetExec(id: string): void;
  /** Runs a health check's command in the container (the OCI runtime's exec, no conmon); bounded output. */
  probe(reference: string, options: ProbeOptions): Promise<ProbeResult>;
  /** Records a health probe's result; the new status, or undefined when the check no longer applies. */
  recordHealth(id: string, result: HealthProbeResult): Promise<ContainerHealthStatus | undefined>;
  resizeExec(id: string, height: number, width: number): Promise<void>;
  /** Container ids using an image (for `rmi`). */
  usingImage(imageId: string): string[];
  /** `docker diff`: the container's file changes against its image. */
  changes(reference: string): Promise<FsChange[]>;
  /** `docker export`: a tar of the container's whole file system. */
  export(reference: string): Promise<Readable>;
  /** `docker commit`: a new image from the container's changes. */
  commit(reference: string, options: CommitOptions): Promise<ImageRecord>;
  /**
   * Resolves once what removed containers held (mounts, netns, ports, volumes, directories) is let go:
   * `--rm` containers are answered removed first (lifecycle/cleanup.ts). Absent in API fakes.
   */
  settled?(what?: 'network' | 'all'): Promise<void>;
  /** How many of those cleanups are under way. */
  cleanupsPending?(): number;
  /** The stages of the last runs, newest first (`GET /polis/v1/debug/trace`); absent in API fakes. */
  traces?(limit?: number): RunTrace[];
}

export interface ExecConfig {
  cmd: string[];
  env: string[];
  user?: string;
  workingDir?: string;
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  privileged: boolean;
  detachKeys?: string;
}

/** An exec session as `GET /exec/{id}/json` describes it. */
export interface ExecRecord {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  /** undefined until the process has ended. */
  exitCode: number | undefined;
  pid: number;
  started: boolean;
}

export interface ExecStartOptions {
  detach: boolean;
  /** The client's input (attached execs with AttachStdin). */
  stdin?: Readable;
}
