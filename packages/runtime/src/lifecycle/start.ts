import { releaseVolumes, resolvedBinds } from '../volumes/binds.js';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError, isPolisError, which, writeFileAtomic, type ContainerRecord } from '@polis/core';
import { emit, runtimeFor, type RuntimeContext } from '../context.js';
import { buildSpec } from '../bundle/build.js';
import { writeEtcFiles } from '../bundle/etc-files.js';
import { attachNetworks, detachNetworks, netnsFor } from '../network/wire.js';
import { resolveUser } from '../bundle/user.js';
import { spawnConmon, type PendingConmon } from '../oci/conmon.js';
import { classifyStartFailure } from '../oci/errors.js';
import { resolveContainer } from '../store/resolve.js';
import { removeLocked } from './remove.js';
import { logLimits } from '../logs/rotate.js';
import { runAttachHooks } from '../attach/attach.js';
import { cancelRestart } from './restart-policy.js';
import { refuseIfRemoving } from './removal-mark.js';

export const CGROUP_PARENT = '/polis';

export function bundleFiles(
  record: ContainerRecord,
): Record<'config' | 'pid' | 'conmonPid' | 'runtimeLog', string> {
  const dir = record.paths.bundle;
  return {
    config: join(dir, 'config.json'),
    pid: join(dir, 'pidfile'),
    conmonPid: join(dir, 'conmon.pid'),
    runtimeLog: join(dir, 'oci-log'),
  };
}

/** Starts a created or exited container. Already running is `container.already_started` (304). */
export async function startContainer(ctx: RuntimeContext, reference: string): Promise<ContainerRecord> {
  const id = resolveContainer(ctx.store, reference).id;
  return ctx.locks.run(id, async () => {
    let record = resolveContainer(ctx.store, id);
    switch (record.state.status) {
      case 'running':
        throw new PolisError('container.already_started', `container ${id} is already running`);
      case 'paused':
        throw new PolisError('container.is_paused', 'cannot start a paused container, try unpause instead');
      case 'restarting':
        cancelRestart(ctx, id);
        record = resolveContainer(ctx.store, id);
        break;
      case 'removing':
      case 'dead':
        throw new PolisError(
          'container.removal_in_progress',
          `container ${id} is marked for removal and cannot be started`,
        );
      default:
        break;
    }
    refuseIfRemoving(ctx, id, 'be started');
    try {
      await launch(ctx, record);
    } catch (err) {
      // As Docker: a `--rm` container that cannot start is removed, not left behind.
      if (record.spec.lifecycle.autoRemove) await removeLocked(ctx, id, true).catch(() => undefined);
      throw err;
    }
    return record;
  });
}

/** Mounts, writes the bundle, runs conmon + `<runtime> start`; undoes all of it on failure. */
export async function launch(ctx: RuntimeContext, record: ContainerRecord): Promise<void> {
  const runtime = runtimeFor(ctx, record.runtime);
  const files = bundleFiles(record);
  let created = false;
  let mounted = false;
  let wired = false;
  let conmon: PendingConmon | undefined;
  ctx.launching?.add(record.id);
  try {
    if (runtime.hasState(record.id)) await runtime.delete(record.id, true).catch(() => undefined);
    await Promise.all([
      rm(join(ctx.dirs.exits, record.id), { force: true }),
      writeFile(files.runtimeLog, ''),
      rm(join(record.paths.dir, 'persist'), { recursive: true, force: true }).then(() =>
        mkdir(join(record.paths.dir, 'persist')),
      ),
    ]);
    conmon = spawnConmon({
      conmonPath: ctx.config.conmonPath,
      runtime,
      id: record.id,
      name: record.name,
      bundle: record.paths.bundle,
      exitDir: ctx.dirs.exits,
      socketDir: ctx.dirs.sockets,
      logPath: record.paths.logPath,
      logMaxSize: logLimits(ctx, record).maxSize,
      pidFile: files.pid,
      conmonPidFile: files.conmonPid,
      runtimeLog: files.runtimeLog,
      persistDir: join(record.paths.dir, 'persist'),
      terminal: record.spec.basic.tty,
      stdin: record.spec.basic.openStdin,
      // Only a `StdinOnce` container loses its stdin when the first client leaves; a terminal never does.
      leaveStdinOpen: record.spec.basic.tty || !record.spec.basic.stdinOnce,
    });
    // Both settle before a failure is thrown: a mount still in flight when the undo ran was left behind.
    const [mount, etc] = await Promise.allSettled([
      ctx.images.mountRootfs(record.imageId, record.paths.dir),
      writeEtcFiles(record),
    ]);
    mounted = mount.status === 'fulfilled';
    if (mount.status === 'rejected') throw mount.reason;
    if (etc.status === 'rejected') throw etc.reason;
    const layout = mount.value;
    const user = await resolveUser(layout.target, record.process.user);
    const spec = buildSpec({
      record,
      rootfs: layout.target,
      binds: await resolvedBinds(ctx, record, layout.target),
      user,
      hostRlimits: ctx.hostRlimits,
      hostCapabilities: ctx.hostCapabilities,
      network: netnsFor(ctx, record),
      cgroupParent: CGROUP_PARENT,
      initPath: record.spec.basic.init ? initBinary() : undefined,
    });
    await writeFileAtomic(files.config, JSON.stringify(spec));
    const pending = conmon;
    conmon = undefined;
    const { pid, conmonPid } = await pending.proceed();
    created = true;
    await attachNetworks(ctx, record, pid);
    wired = true;
    await runAttachHooks(ctx, record.id);
    const startedAt = new Date().toISOString();
    await runtime.start(record.id);
    record.state = {
      ...record.state,
      status: 'running',
      pid,
      conmonPid,
      exitCode: 0,
      error: '',
      oomKilled: false,
      startedAt,
      stoppedByUser: false,
    };
    record.startCount += 1;
    ctx.store.update(record);
    emit(ctx, 'start', record);
  } catch (err) {
    conmon?.abort();
    await runAttachHooks(ctx, record.id, false);
    if (created) await runtime.delete(record.id, true).catch(() => undefined);
    if (wired) await detachNetworks(ctx, record.id);
    await rm(join(ctx.dirs.exits, record.id), { force: true }).catch(() => undefined);
    if (mounted) await ctx.images.unmountRootfs(record.paths.dir).catch(() => undefined);
    ctx.launching?.delete(record.id);
    await releaseVolumes(ctx, record);
    throw recordStartFailure(ctx, record, err);
  } finally {
    ctx.launching?.delete(record.id);
  }
}

/** Keeps the failure in the container's state (ExitCode 126/127/128 and Error, as Docker) and rethrows. */
function recordStartFailure(ctx: RuntimeContext, record: ContainerRecord, err: unknown): PolisError {
  const error = dockerWording(
    record,
    isPolisError(err)
      ? err
      : new PolisError('container.start_failed', (err as Error).message, { cause: err }),
  );
  const exitCode =
    typeof error.context.exitCode === 'number'
      ? error.context.exitCode
      : classifyStartFailure(error.message).exitCode;
  const current = ctx.store.byId(record.id);
  if (current) {
    current.state = { ...current.state, exitCode, error: error.message, pid: 0, conmonPid: 0 };
    ctx.store.update(current);
  }
  return error;
}

export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgKMG]?)[bB]?$/.exec(text.trim());
  if (!m) throw new PolisError('request.invalid', `invalid size: '${text}'`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Math.floor(Number(m[1]) * mult);
}

/** catatonit (Debian's, as podman uses) or tini, for `--init`. */
function initBinary(): string {
  const found = which('catatonit') ?? which('tini');
  if (!found) throw new PolisError('runtime.unavailable', '--init needs catatonit or tini on the host');
  return found;
}

/**
 * Docker's words for a command that cannot run (clients, the docker CLI among them, pick exit codes
 * 127 and 126 from them), followed by the runtime's own message.
 */
function dockerWording(record: ContainerRecord, err: PolisError): PolisError {
  const cmd = JSON.stringify(record.process.path);
  const why =
    err.code === 'container.command_not_found'
      ? `exec: ${cmd}: executable file not found in $PATH`
      : err.code === 'container.command_not_executable'
        ? `exec: ${cmd}: permission denied`
        : undefined;
  if (!why) return err;
  return new PolisError(err.code, `failed to create task for container: ${why} (${err.message})`, {
    cause: err,
    context: err.context,
  });
}
