import { EventEmitter } from 'node:events';
import { containerSecurity } from './inspect/container-security.js';
import type { SecurityReport } from './inspect/security-report.js';
import type Database from 'better-sqlite3';
import { mkdir } from 'node:fs/promises';
import {
  PolisError,
  createLogger,
  type ContainerRecord,
  type ContainerSpec,
  type DaemonConfig,
  type HealthCheck,
  type ImageRecord,
} from '@polis/core';
import type { FsChange, ImageService } from '@polis/image';
import type { Readable } from 'node:stream';
import type { EndpointRequest, NetworkService } from '@polis/network';
import type { VolumeService } from '@polis/storage';
import { volumeUsers } from './volumes/prepare.js';
import { connectNetwork, disconnectNetwork } from './network/live.js';
import { createRuntimes, runtimeDirs, settleCleanups, type RuntimeContext } from './context.js';
import { ContainerStore } from './store/container-store.js';
import { resolveContainer } from './store/resolve.js';
import { KeyedMutex } from './lock.js';
import { Waiters } from './waiters.js';
import { hostCapabilityNumbers, hostRlimits } from './host/limits.js';
import { ALL_CAPABILITIES } from '@polis/security';
import { ExitWatcher } from './monitor/exit-watcher.js';
import { SupervisedIndex } from './monitor/supervised.js';
import { runtimeHealthChecks } from './monitor/health.js';
import { SupervisorWatch } from './monitor/supervisor-watch.js';
import { reconcileNetworks, recoverContainers, restartOnBoot } from './recover.js';
import { topContainer } from './top.js';
import { getArchive, putArchive, statPath } from './archive/verbs.js';
import { emit } from './context.js';
import { createContainer } from './lifecycle/create.js';
import { startContainer } from './lifecycle/start.js';
import { killContainer, stopContainer } from './lifecycle/stop.js';
import { pauseContainer, unpauseContainer } from './lifecycle/pause.js';
import { removeContainer } from './lifecycle/remove.js';
import { finishRetired } from './lifecycle/cleanup.js';
import { refuseIfRemoving } from './lifecycle/removal-mark.js';
import { renameContainer } from './lifecycle/rename.js';
import { commitContainer, type CommitOptions } from './lifecycle/commit.js';
import { containerChanges, exportContainer } from './lifecycle/fs-changes.js';
import { waitContainer } from './lifecycle/wait.js';
import { updateContainer } from './lifecycle/update.js';
import { filterContainers } from './list.js';
import { readLog, type FollowControl } from './logs/reader.js';
import { rotatedFiles, sourceLogLimits } from './logs/rotate.js';
import { LogRotator } from './logs/rotator.js';
import { LogRelay } from './logs/relay.js';
import { readableLog } from './logs/drivers.js';
import { OomWatcher } from './monitor/oom-watcher.js';
import { attachStream } from './attach/attach.js';
import { recordHealth } from './health/record.js';
import { ExecSessions } from './exec/exec.js';
import { Prober, type ProbeOptions, type ProbeResult } from './exec/probe.js';
import { conmonCtl, resizeMessage } from './attach/ctl.js';
import { RunTracer, type RunTrace } from './trace/run-trace.js';
import { isPolisError, type HealthProbeResult, type ContainerHealthStatus } from '@polis/core';
import type {
  AttachOptions,
  ContainerPathStat,
  PutArchiveOptions,
  ContainerEvent,
  ContainerService,
  ExecConfig,
  ExecRecord,
  ExecStartOptions,
  CreateOptions,
  ListOptions,
  LogEntry,
  LogOptions,
  RemoveOptions,
  StopOptions,
  TopResult,
  UpdateOptions,
  WaitCondition,
  WaitResult,
} from './types.js';

export interface ContainerManagerOptions {
  db: Database.Database;
  config: DaemonConfig;
  images: ImageService;
  networks?: NetworkService;
  volumes?: VolumeService;
}

const isLive = (r: ContainerRecord | undefined): boolean =>
  r !== undefined && (r.state.status === 'running' || r.state.status === 'paused');

/** The runtime's face: the ContainerService the API calls. */
export class ContainerManager implements ContainerService {
  readonly ctx: RuntimeContext;
  private readonly exits: ExitWatcher;
  private readonly supervisors: SupervisorWatch;
  private readonly execs: ExecSessions;
  private readonly prober: Prober;
  private readonly rotator: LogRotator;
  private readonly relay: LogRelay;
  private readonly ooms: OomWatcher;

  constructor(options: ContainerManagerOptions) {
    const dirs = runtimeDirs(options.config);
    this.ctx = {
      config: options.config,
      store: new ContainerStore(options.db),
      images: options.images,
      ...(options.networks ? { networks: options.networks } : {}),
      ...(options.volumes ? { volumes: options.volumes } : {}),
      runtimes: createRuntimes(options.config, dirs.runtimeState),
      locks: new KeyedMutex(),
      waiters: new Waiters(),
      supervised: new SupervisedIndex(),
      events: new EventEmitter(),
      log: createLogger('runtime'),
      hostRlimits: hostRlimits(),
      attachHooks: new Map(),
      restarts: { timers: new Map(), delays: new Map(), manual: new Set() },
      cleanups: new Map(),
      cleanupRetries: new Map(),
      removals: new Set(),
      launching: new Set(),
      hostCapabilities: hostCapabilityNumbers()
        .map((n) => ALL_CAPABILITIES[n])
        .filter((c): c is string => c !== undefined),
      dirs,
      trace: new RunTracer(),
    };
    this.ctx.events.setMaxListeners(0);
    const { store, launching } = this.ctx;
    options.volumes?.attachUsers(() => volumeUsers(store, launching));
    this.exits = new ExitWatcher(this.ctx);
    this.supervisors = new SupervisorWatch(this.ctx);
    this.execs = new ExecSessions(this.ctx);
    this.prober = new Prober(this.ctx);
    this.rotator = new LogRotator(this.ctx);
    this.ctx.logRotator = this.rotator;
    this.relay = new LogRelay(this.ctx, (id, signal) =>
      this.logs(id, { stdout: true, stderr: true, follow: true }, signal),
    );
    this.ooms = new OomWatcher(this.ctx);
  }

  /** Creates directories, reconciles records with what conmon saw while we were away, starts watching. */
  async init(): Promise<void> {
    const { dirs } = this.ctx;
    for (const d of [dirs.containers, dirs.bundles, dirs.exits, dirs.sockets, dirs.runtimeState]) {
      await mkdir(d, { recursive: true, mode: 0o711 });
    }
    this.exits.start();
    this.rotator.start();
    this.relay.start();
    this.ooms.start();
    await finishRetired(this.ctx);
    await recoverContainers(this.ctx);
    // A --rm container whose exit recovery recorded was retired: its cleanup ends before the reconciles.
    await settleCleanups(this.ctx);
    await this.ctx.volumes?.reconcileMounts();
    await reconcileNetworks(this.ctx);
    await this.exits.sweep();
    this.supervisors.start();
    await restartOnBoot(this.ctx);
  }

  /** `network connect`: wires a running container now, a stopped one at its next start. */
  connectNetwork(reference: string, request: EndpointRequest): Promise<void> {
    return connectNetwork(this.ctx, reference, request);
  }

  disconnectNetwork(reference: string, network: string, force?: boolean): Promise<void> {
    return disconnectNetwork(this.ctx, reference, network, force);
  }

  /** `update`: the restart policy and the limits (written to a running container's cgroup, kept for the next start). */
  async update(reference: string, changes: UpdateOptions): Promise<void> {
    await updateContainer(this.ctx, this.get(reference).id, changes);
  }

  /** `top`: the container's processes, as `ps` shows them on the host. */
  /** The kernel's view of a running container's security (`GET /polis/v1/containers/{id}/security`). */
  security(reference: string): Promise<SecurityReport> {
    return containerSecurity(this.ctx, reference);
  }

  top(reference: string, psArgs?: string): Promise<TopResult> {
    return topContainer(this.ctx, this.get(reference), psArgs);
  }

  statPath(reference: string, path: string): Promise<ContainerPathStat> {
    return statPath(this.ctx, reference, path);
  }

  getArchive(reference: string, path: string): Promise<{ stat: ContainerPathStat; stream: Readable }> {
    return getArchive(this.ctx, reference, path);
  }

  putArchive(reference: string, path: string, input: Readable, options?: PutArchiveOptions): Promise<void> {
    return putArchive(this.ctx, reference, path, input, options);
  }

  close(): void {
    this.exits.stop();
    this.supervisors.stop();
    this.rotator.stop();
    this.relay.stop();
    this.ooms.stop();
    // A failed cleanup's next try is the next start's (its row stays).
    for (const timer of this.ctx.cleanupRetries.values()) clearTimeout(timer);
    this.ctx.cleanupRetries.clear();
  }

  onEvent(listener: (e: ContainerEvent) => void): () => void {
    this.ctx.events.on('event', listener);
    return () => this.ctx.events.off('event', listener);
  }

  create(spec: ContainerSpec, options?: CreateOptions): Promise<ContainerRecord> {
    return createContainer(this.ctx, spec, options);
  }

  settled(what: 'network' | 'all' = 'all'): Promise<void> {
    return settleCleanups(this.ctx, what);
  }

  cleanupsPending(): number {
    return this.ctx.cleanups.size;
  }

  traces(limit?: number): RunTrace[] {
    return this.ctx.trace?.list(limit) ?? [];
  }

  start(reference: string): Promise<ContainerRecord> {
    return startContainer(this.ctx, reference);
  }

  stop(reference: string, options?: StopOptions): Promise<void> {
    return stopContainer(this.ctx, reference, options);
  }

  kill(reference: string, signal?: string): Promise<void> {
    return killContainer(this.ctx, reference, signal);
  }

  async restart(reference: string, options?: StopOptions): Promise<void> {
    const record = this.get(reference);
    // Followers of the logs keep following across the stop and the start.
    this.ctx.restarts.manual.add(record.id);
    try {
      // A container being removed is not stopped for nothing first: `rm -f` is killing it.
      refuseIfRemoving(this.ctx, record.id, 'be started');
      try {
        await this.stop(record.id, options);
      } catch (err) {
        if (!isPolisError(err, 'container.already_stopped')) throw err;
      }
      // The removal that ended this run may be deleting the record already: say why, not "no such container".
      refuseIfRemoving(this.ctx, record.id, 'be started');
      await this.start(record.id);
    } catch (err) {
      // Docker's words (`Cannot restart container c: container is marked for removal …`), same code.
      if (!isPolisError(err, 'container.removal_in_progress')) throw err;
      throw new PolisError(err.code, `Cannot restart container ${reference}: ${err.message}`, {
        cause: err,
        context: err.context,
      });
    } finally {
      this.ctx.restarts.manual.delete(record.id);
    }
    emit(this.ctx, 'restart', this.get(record.id));
  }

  pause(reference: string): Promise<void> {
    return pauseContainer(this.ctx, reference);
  }

  unpause(reference: string): Promise<void> {
    return unpauseContainer(this.ctx, reference);
  }

  remove(reference: string, options?: RemoveOptions): Promise<void> {
    return removeContainer(this.ctx, reference, options);
  }

  rename(reference: string, newName: string): Promise<void> {
    return renameContainer(this.ctx, reference, newName);
  }

  changes(reference: string): Promise<FsChange[]> {
    return containerChanges(this.ctx, reference);
  }

  export(reference: string): Promise<Readable> {
    return exportContainer(this.ctx, reference);
  }

  commit(reference: string, options: CommitOptions): Promise<ImageRecord> {
    return commitContainer(this.ctx, reference, options);
  }

  wait(reference: string, condition: WaitCondition, signal?: AbortSignal): Promise<WaitResult> {
    return waitContainer(this.ctx, reference, condition, signal);
  }

  get(reference: string): ContainerRecord {
    return resolveContainer(this.ctx.store, reference);
  }

  list(options?: ListOptions): ContainerRecord[] {
    // Filter the shared records and copy only what is listed: idle or huge records cost nothing here.
    return filterContainers([...this.ctx.store.shared()], options).map((r) => structuredClone(r));
  }

  /** Checks for `GET /polis/v1/health`: the runtime and conmon answer, every supervisor lives. */
  healthChecks(): HealthCheck[] {
    return runtimeHealthChecks(this.ctx);
  }

  runningPid(id: string): number | undefined {
    return this.ctx.store.pidOf(id);
  }

  usingImage(imageId: string): string[] {
    return this.ctx.store
      .shared()
      .filter((c) => c.imageId === imageId)
      .map((c) => c.id);
  }

  logs(reference: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogEntry> {
    const record = this.get(reference);
    if (!readableLog(record.spec.logging.driver))
      throw new PolisError('request.invalid', 'configured logging driver does not support reading');
    const control: FollowControl = {
      ended: () => {
        const current = this.ctx.store.byId(record.id);
        if (!current) return true;
        if (current.state.status === 'restarting' || this.ctx.restarts.manual.has(record.id)) return false;
        return !isLive(current);
      },
      onWake: (cb) => this.subscribeEnd(record.id, cb),
    };
    const rotated = rotatedFiles(record.paths.logPath, sourceLogLimits(this.ctx, record).maxFiles);
    const path = record.paths.logPath;
    return (async function* () {
      yield* readLog(path, { ...options, rotated: await rotated }, control, signal);
    })();
  }

  attach(reference: string, options: AttachOptions, signal?: AbortSignal): AsyncIterable<LogEntry> {
    const record = this.get(reference);
    emit(this.ctx, 'attach', record);
    return attachStream(this.ctx, record, options, signal);
  }

  createExec(reference: string, config: ExecConfig): ExecRecord {
    return this.execs.create(reference, config);
  }

  startExec(id: string, options: ExecStartOptions, signal?: AbortSignal): Promise<AsyncIterable<LogEntry>> {
    return this.execs.start(id, options, signal);
  }

  inspectExec(id: string): ExecRecord {
    return this.execs.get(id);
  }

  killExec(id: string): void {
    this.execs.kill(id);
  }

  forgetExec(id: string): void {
    this.execs.forget(id);
  }

  probe(reference: string, options: ProbeOptions): Promise<ProbeResult> {
    return this.prober.probe(reference, options);
  }

  recordHealth(id: string, result: HealthProbeResult): Promise<ContainerHealthStatus | undefined> {
    return recordHealth(this.ctx, id, result);
  }

  resizeExec(id: string, height: number, width: number): Promise<void> {
    return this.execs.resize(id, height, width);
  }

  /** Exec sessions of a container, for inspect's ExecIDs. */
  execIds(containerId: string): string[] {
    return this.execs.ofContainer(containerId);
  }

  async resize(reference: string, height: number, width: number): Promise<void> {
    const record = this.get(reference);
    if (record.state.status !== 'running' && record.state.status !== 'paused') {
      throw new PolisError('container.not_running', `Container ${record.id} is not running`);
    }
    if (!record.spec.basic.tty) return;
    await conmonCtl(record.paths.bundle, resizeMessage(height, width));
  }

  /** Calls `cb` when the container's current run ends or it is removed. */
  private subscribeEnd(id: string, cb: () => void): () => void {
    const onEvent = (e: ContainerEvent): void => {
      if (e.id === id && e.action === 'destroy') cb();
    };
    this.ctx.events.on(`exited:${id}`, cb);
    this.ctx.events.on('event', onEvent);
    return () => {
      this.ctx.events.off(`exited:${id}`, cb);
      this.ctx.events.off('event', onEvent);
    };
  }
}
