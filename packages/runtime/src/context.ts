import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { PolisError, type ContainerRecord, type DaemonConfig, type Logger } from '@polis/core';
import type { ImageService } from '@polis/image';
import type { NetworkService } from '@polis/network';
import type { VolumeService } from '@polis/storage';
import { ContainerStore } from './store/container-store.js';
import { KeyedMutex } from './lock.js';
import { Waiters } from './waiters.js';
import { OciRuntime } from './oci/runtime.js';
import type { ContainerEvent } from './types.js';
import type { HostRlimits } from './host/limits.js';
import type { SupervisedIndex } from './monitor/supervised.js';
import type { LogRotator } from './logs/rotator.js';
import type { RunTracer } from './trace/run-trace.js';

/** Everything the lifecycle verbs share. Built once by `ContainerManager`. */
export interface RuntimeContext {
  config: DaemonConfig;
  store: ContainerStore;
  images: ImageService;
  /** Networks; without it `bridge` means a fresh namespace with loopback only (unit tests). */
  networks?: NetworkService;
  /** Volumes; without it a container that names one is refused (unit tests). */
  volumes?: VolumeService;
  runtimes: Map<string, OciRuntime>;
  locks: KeyedMutex;
  waiters: Waiters;
  /** The conmon of each live container, for the supervisor watch. */
  supervised: SupervisedIndex;
  /** `event` (ContainerEvent) for the outside; `exited:<id>` and `changed:<id>` inside the runtime. */
  events: EventEmitter;
  log: Logger;
  hostRlimits: HostRlimits;
  /** Attach connections waiting for the container's next launch. */
  attachHooks: Map<string, Set<(launched: boolean) => Promise<void>>>;
  /** Pending policy restarts and their back-off, by container id. */
  restarts: { timers: Map<string, NodeJS.Timeout>; delays: Map<string, number>; manual: Set<string> };
  /**
   * Cleanups of retired containers under way, by id (see lifecycle/cleanup.ts): `network` settles once
   * its ports, addresses, netns and endpoints are let go, `done` once all is (neither rejects).
   */
  cleanups: Map<string, { network: Promise<void>; done: Promise<void> }>;
  /** Cleanups that failed, waiting to be tried again. */
  cleanupRetries: Map<string, NodeJS.Timeout>;
  /** Ids an `rm` is under way for (see lifecycle/removal-mark.ts). */
  removals: Set<string>;
  /**
   * Ids a start is under way for: their volumes count as in use by a running container, so another
   * container's exit does not unmount a volume between this one's mount and its `crun create`.
   */
  launching?: Set<string>;
  /** The daemon's bounding set, by name: what "all capabilities" can mean here. */
  hostCapabilities: string[];
  /**
   * `containers` (data root) holds what lasts: rootfs upper, logs, etc files. Everything conmon must
   * write to record an exit lives on the exec root (a tmpfs), so a full data root cannot lose it:
   * `bundles/<id>` (config.json, pid files, persist dir, ctl FIFO, attach socket), `exits`, `sockets`.
   */
  dirs: { containers: string; bundles: string; exits: string; sockets: string; runtimeState: string };
  /** OOM kills already reported (an `oom` event each) per running container, by the OOM watcher. */
  oomSeen?: Map<string, number>;
  /** Log rotation of running containers; absent in unit tests that launch nothing. */
  logRotator?: LogRotator;
  /** Where each run's milliseconds went (`GET /polis/v1/debug/trace`); absent in unit tests. */
  trace?: RunTracer;
}

export function runtimeDirs(config: DaemonConfig): RuntimeContext['dirs'] {
  return {
    containers: join(config.dataRoot, 'containers'),
    bundles: join(config.execRoot, 'containers'),
    exits: join(config.execRoot, 'exits'),
    sockets: join(config.execRoot, 's'),
    runtimeState: join(config.execRoot, 'runtime'),
  };
}

export function createRuntimes(config: DaemonConfig, stateRoot: string): Map<string, OciRuntime> {
  const map = new Map<string, OciRuntime>();
  for (const [name, path] of Object.entries(config.runtimes)) {
    map.set(
      name,
      new OciRuntime(name as 'crun' | 'runc', path, join(stateRoot, name), config.cgroupDriver === 'systemd'),
    );
  }
  return map;
}

export function runtimeFor(ctx: RuntimeContext, name: string): OciRuntime {
  const rt = ctx.runtimes.get(name);
  if (!rt) {
    throw new PolisError('runtime.unknown', `unknown or invalid runtime name: ${name}`, {
      context: { name },
    });
  }
  return rt;
}

export function emit(
  ctx: RuntimeContext,
  action: string,
  record: ContainerRecord,
  attributes: Record<string, string> = {},
): void {
  const event: ContainerEvent = {
    action,
    id: record.id,
    name: record.name,
    image: record.imageRef,
    attributes: { ...record.spec.basic.labels, image: record.imageRef, name: record.name, ...attributes },
    time: Date.now(),
  };
  try {
    ctx.events.emit('event', event);
  } catch (err) {
    // A listener that cannot keep the event (the event log on a full data root) must not stop the
    // lifecycle step that emitted it (waking waiters, removing, restarting).
    ctx.log.warn('event listener failed', { action, id: record.id, err });
  }
}

export type { Database };

/** The container's OCI bundle and conmon's files, on the exec root; it exists only while the container runs. */
export function bundleDir(ctx: RuntimeContext, id: string): string {
  return join(ctx.dirs.bundles, id);
}

/**
 * Resolves once the cleanups of retired containers under way now have let go of their network
 * (`network`: ports, addresses, DNS names, endpoints) or of everything (`all`: mounts, volumes,
 * directories too) (lifecycle/cleanup.ts). Cleanups begun later are not waited for.
 */
export async function settleCleanups(ctx: RuntimeContext, what: 'network' | 'all' = 'all'): Promise<void> {
  if (ctx.cleanups.size === 0) return;
  await Promise.all([...ctx.cleanups.values()].map((c) => (what === 'network' ? c.network : c.done)));
}
