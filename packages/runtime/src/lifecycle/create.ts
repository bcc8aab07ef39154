import { checkNetworkMode, connectOnCreate } from '../network/wire.js';
import { chown, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  parseBytes,
  PolisError,
  createdState,
  isNoSpace,
  noSpace,
  generateId,
  generateName,
  isValidName,
  mappedRoot,
  type ContainerRecord,
  type ContainerSpec,
} from '@polis/core';
import { securitySteps } from '@polis/security';
import { emit, runtimeFor, type RuntimeContext } from '../context.js';
import { signalName } from './signals.js';
import { parseMaxFile } from '../logs/rotate.js';
import { logDriverOf } from '../logs/drivers.js';
import { resolveProcess } from '../bundle/process.js';
import type { CreateOptions } from '../types.js';
import { prepareVolumes } from '../volumes/prepare.js';
import { prepareBindSources } from '../volumes/bind-sources.js';
import { ensureVolumes, removeVolumes } from '../volumes/ensure.js';
import { checkNamespaceModes } from '../bundle/namespaces.js';
import { devicesFromMapping } from '../host/devices.js';
import { hostLsm } from '../host/lsm.js';
import { userNamespaceFor } from './userns.js';
import { mergeHealth } from '../health/config.js';

const MAX_NAME_TRIES = 20;

/** The container's files, all under its own directory. */
export function containerPaths(ctx: RuntimeContext, id: string): ContainerRecord['paths'] {
  const dir = join(ctx.dirs.containers, id);
  return {
    dir,
    bundle: dir,
    rootfs: join(dir, 'rootfs'),
    logPath: join(dir, 'ctr.log'),
    hostsPath: join(dir, 'hosts'),
    hostnamePath: join(dir, 'hostname'),
    resolvConfPath: join(dir, 'resolv.conf'),
  };
}

/** k8s-file's `path` log option (podman's; the CRI's log_path): conmon writes the log there instead. */
function logPathOption(spec: ContainerSpec): { logPath?: string } {
  const path = spec.logging.options.path;
  return logDriverOf(spec.logging.driver) === 'k8s-file' && path ? { logPath: path } : {};
}

export function validateName(name: string): string {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (!isValidName(bare)) {
    throw new PolisError(
      'container.name_invalid',
      `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
      { context: { name } },
    );
  }
  return bare;
}

/**
 * Records a new container. Nothing runs yet: the rootfs is mounted and the OCI bundle written at
 * start. If anything fails after the record is saved, the record and directory are removed again.
 */
export async function createContainer(
  ctx: RuntimeContext,
  spec: ContainerSpec,
  options: CreateOptions = {},
): Promise<ContainerRecord> {
  const tracer = ctx.trace;
  const t0 = tracer?.now() ?? 0;
  const image = ctx.images.get(spec.image);
  const runtime = runtimeFor(ctx, spec.runtime ?? ctx.config.defaultRuntime).name;
  const tImage = tracer?.now() ?? 0;
  if (spec.lifecycle.autoRemove && spec.lifecycle.restartPolicy.name !== 'no') {
    throw new PolisError('request.invalid', 'conflicting options: cannot specify both --restart and --rm');
  }
  validateSpec(ctx, spec);
  // A device that is not there fails the create (400), not the first start.
  await Promise.all((spec.security.devices ?? []).map(devicesFromMapping));
  prepareVolumes(ctx.store, spec, image);
  await prepareBindSources(spec);
  const resolved = resolveProcess(spec, image);
  // Docker keeps the image's check in the container's config, merged field by field with the request's.
  const health = mergeHealth(spec.health, image.config.config?.Healthcheck);
  if (health) spec = { ...spec, health };
  const idMappings = userNamespaceFor(ctx, spec);
  const id = generateId();
  const hostUts = spec.network.mode === 'host' || spec.security.utsMode === 'host';
  const hostname = spec.basic.hostname || (hostUts ? '' : id.slice(0, 12));
  const record: ContainerRecord = {
    id,
    name: options.name ? validateName(options.name) : generateName(),
    created: new Date().toISOString(),
    imageId: image.id,
    imageRef: spec.image,
    spec,
    process: resolved,
    hostname,
    runtime,
    state: createdState(),
    restartCount: 0,
    startCount: 0,
    paths: { ...containerPaths(ctx, id), ...logPathOption(spec) },
    ...(idMappings ? { idMappings } : {}),
  };
  if (hostUts && !record.hostname) {
    record.hostname = (await import('node:os')).hostname();
  }
  if (tracer) {
    tracer.begin(id, options.traceSince ?? t0);
    if (options.traceSince !== undefined) tracer.mark(id, 'request parse', options.traceSince, t0);
    tracer.mark(id, 'image resolve', t0, tImage);
    tracer.mark(id, 'create: validate', tImage);
  }
  let t = tracer?.now() ?? 0;
  insertWithName(ctx, record, options.name === undefined);
  if (tracer) t = tracer.mark(id, 'create: record insert', t);
  let volumes: string[] = [];
  try {
    // 0710: only root (and the root group) may enter; crun runs as root, and the container's user
    // sees its rootfs and /etc files through mounts, never through this path.
    await mkdir(record.paths.dir, { recursive: true, mode: 0o710 });
    // Under a user namespace the runtime mounts the rootfs and /etc files as the mapped root, which
    // gets in through the group, as dockerd's remapped directories.
    if (record.idMappings) await chown(record.paths.dir, 0, mappedRoot(record.idMappings).gid);
    volumes = await ensureVolumes(ctx, record);
    if (tracer) t = tracer.mark(id, 'create: directory and volumes', t);
    await connectOnCreate(ctx, record);
    tracer?.mark(id, 'create: network endpoints', t);
  } catch (err) {
    ctx.trace?.end(record.id);
    await undoCreate(ctx, record);
    await removeVolumes(ctx, volumes);
    if (isNoSpace(err)) throw noSpace(err, { id: record.id });
    if (err instanceof PolisError) throw err;
    throw new PolisError('store.failed', `creating ${record.paths.dir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  emit(ctx, 'create', record);
  return record;
}

/**
 * Takes back a create that failed half way: endpoints and leases, the record (and with it the name),
 * the directory. Every step runs even when one before it failed; a failed step is logged.
 */
async function undoCreate(ctx: RuntimeContext, record: ContainerRecord): Promise<void> {
  const steps: [string, () => unknown][] = [
    ['forget network endpoints', () => ctx.networks?.forget(record.id)],
    ['delete record', () => ctx.store.delete(record.id)],
    ['remove directory', () => rm(record.paths.dir, { recursive: true, force: true })],
  ];
  for (const [step, run] of steps) {
    try {
      await run();
    } catch (err) {
      ctx.log.warn('undoing a failed create', { id: record.id, step, err });
    }
  }
}

/** Inserts; a generated name that collides is drawn again, a chosen one is a 409. */
function insertWithName(ctx: RuntimeContext, record: ContainerRecord, generated: boolean): void {
  for (let i = 0; ; i++) {
    try {
      ctx.store.insert(record);
      return;
    } catch (err) {
      if (!generated || !(err instanceof PolisError) || err.code !== 'container.name_in_use') throw err;
      if (i >= MAX_NAME_TRIES) record.name = `${generateName()}_${record.id.slice(0, 6)}`;
      else record.name = generateName();
    }
  }
}

/** Rejects what would only fail at start: bad security options, signals, log options. */
function validateSpec(ctx: RuntimeContext, spec: ContainerSpec): void {
  checkNamespaceModes(ctx, spec);
  const { pidMode, ipcMode, utsMode } = spec.security;
  securitySteps({
    security: spec.security,
    resources: spec.resources,
    namespaces: {
      network: spec.network.mode === 'host' ? 'host' : 'none',
      ...(pidMode === 'host' ? { pid: 'host' } : {}),
      ...(ipcMode === 'host' ? { ipc: 'host' } : {}),
      ...(utsMode === 'host' ? { uts: 'host' } : {}),
    },
    hostRlimits: ctx.hostRlimits,
    hostCapabilities: ctx.hostCapabilities,
    hostLsm: hostLsm(),
  });
  if (spec.basic.stopSignal) signalName(spec.basic.stopSignal);
  const maxSize = spec.logging.options['max-size'];
  if (maxSize !== undefined) parseBytes(maxSize);
  const maxFile = spec.logging.options['max-file'];
  if (maxFile !== undefined) parseMaxFile(maxFile);
  checkNetworkMode(ctx, spec.network.mode);
}
