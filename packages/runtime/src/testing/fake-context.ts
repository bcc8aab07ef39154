/** A runtime context and records for unit tests of the lifecycle verbs, with no daemon behind them. */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import {
  createdState,
  generateId,
  type ContainerRecord,
  type ContainerSpec,
  type DaemonConfig,
  type Logger,
} from '@polis/core';
import type { RuntimeContext } from '../context.js';
import { KeyedMutex } from '../lock.js';
import { SupervisedIndex } from '../monitor/supervised.js';
import { Waiters } from '../waiters.js';

export const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A context whose directories are under `dir`; what a test needs of the rest it passes in `parts`. */
export function fakeContext(
  dir: string,
  parts: Pick<RuntimeContext, 'store' | 'images'> & Partial<RuntimeContext>,
): RuntimeContext {
  return {
    config: {} as DaemonConfig,
    runtimes: new Map(),
    locks: new KeyedMutex(),
    waiters: new Waiters(),
    events: new EventEmitter(),
    log: quiet,
    hostRlimits: {} as RuntimeContext['hostRlimits'],
    attachHooks: new Map(),
    restarts: { timers: new Map(), delays: new Map(), manual: new Set() },
    cleanups: new Map(),
    cleanupRetries: new Map(),
    removals: new Set(),
    supervised: new SupervisedIndex(),
    hostCapabilities: [],
    dirs: {
      containers: join(dir, 'containers'),
      bundles: join(dir, 'bundles'),
      exits: join(dir, 'exits'),
      sockets: join(dir, 's'),
      runtimeState: join(dir, 'runtime'),
    },
    ...parts,
  };
}

/** A record of a container the fake runtime `crun` runs (pid 4242), its folders under `dir`. */
export function runningRecord(
  dir: string,
  name: string,
  spec: ContainerSpec,
  process: ContainerRecord['process'],
): ContainerRecord {
  const id = generateId();
  return {
    id,
    name,
    created: new Date().toISOString(),
    imageId: 'sha256:x',
    imageRef: 'busybox',
    spec,
    process,
    hostname: id.slice(0, 12),
    runtime: 'crun',
    state: { ...createdState(), status: 'running', pid: 4242, startedAt: new Date().toISOString() },
    restartCount: 0,
    startCount: 1,
    paths: {
      dir: join(dir, 'containers', id),
      bundle: join(dir, 'bundles', id),
      rootfs: '',
      logPath: '',
      hostsPath: '',
      hostnamePath: '',
      resolvConfPath: '',
    },
  };
}
