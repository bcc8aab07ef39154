import { releaseVolumes, resolvedBinds } from '../volumes/binds.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError, isPolisError, logFailure, which, type ContainerRecord } from '@polis/core';
import { bundleDir, emit, runtimeFor, type RuntimeContext } from '../context.js';
import { probeCommand } from '../health/config.js';
import { crashPoint } from '../crash-point.js';
import { buildSpec } from '../bundle/build.js';
import { writeEtcFiles } from '../bundle/etc-files.js';
import { attachNetworks, detachNetworks, netnsFor, ownNetns } from '../network/wire.js';
import { resolveUser } from '../bundle/user.js';
import { withGroupAdd } from '../bundle/group-add.js';
import { namespaceModes } from '../bundle/namespaces.js';
import { containerDevices } from '../host/devices.js';
import { spawnConmon, type PendingConmon } from '../oci/conmon.js';
import { classifyStartFailure, commandProblem, type CommandProblem } from '../bundle/resolve-command.js';
import { resolveContainer } from '../store/resolve.js';
import { removeLocked } from './remove.js';
import { sourceLogLimits } from '../logs/rotate.js';
import { runAttachHooks } from '../attach/attach.js';
import { cancelRestart } from './restart-policy.js';
import { refuseIfRemoving } from './removal-mark.js';
import { containerCgroupsPath } from '../host/container-cgroup.js';

/** The files of a bundle directory (see `bundleDir`; records of an older polisd name their data dir). */
export function bundleFiles(
  dir: string,
): Record<'config' | 'pid' | 'conmonPid' | 'runtimeLog' | 'persist', string> {
  return {
    config: join(dir, 'config.json'),
    pid: join(dir, 'pidfile'),
    conmonPid: join(dir, 'conmon.pid'),
    runtimeLog: join(dir, 'oci-log'),
    persist: join(dir, 'persist'),
  };
}

/** Starts a created or exited container. Already running is `container.already_started` (304). */
export async function startContainer(ctx: RuntimeContext, reference: string): Promise<ContainerRecord> {
  const id = resolveContainer(ctx.store, reference).id;
  const queued = ctx.trace?.now() ?? 0;
  return ctx.locks.run(id, async () => {
    ctx.trace?.mark(id, 'start: lock wait', queued);
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
      if (record.spec.lifecycle.autoRemove)
        await removeLocked(ctx, id, true).catch(
          logFailure(ctx.log, 'removing a --rm container that did not start', { id }),
        );
      throw err;
    }
    return record;
  });
}

/** Mounts, writes the bundle, runs conmon + `<runtime> start`; undoes all of it on failure. */
export async function launch(ctx: RuntimeContext, record: ContainerRecord): Promise<void> {
  const runtime = runtimeFor(ctx, record.runtime);
  // Records of an older polisd kept the bundle in the data dir: each launch moves it to the exec root.
  record.paths.bundle = bundleDir(ctx, record.id);
  const files = bundleFiles(record.paths.bundle);
  let created = false;
  let mounted = false;
  let wired = false;
  let conmon: PendingConmon | undefined;
  let createFailed = false;
  // Looked up beside the create: it only names the reason of a failure (127/126).
  let lookup: Promise<CommandProblem | undefined> | undefined;
  ctx.launching?.add(record.id);
  const tracer = ctx.trace;
  let t = tracer?.now() ?? 0;
  const mark = (stage: string): void => {
    if (tracer) t = tracer.mark(record.id, stage, t);
  };
  const timed = <T>(stage: string, work: () => Promise<T>): Promise<T> =>
    tracer ? tracer.step(record.id, stage, work) : work();
  const prepareBundle = async (): Promise<PendingConmon> => {
    if (runtime.hasState(record.id))
      await runtime
        .delete(record.id, true)
        .catch(logFailure(ctx.log, 'deleting stale runtime state', { id: record.id }));
    // On the exec root (a tmpfs): a few calls of microseconds each, made at once rather than queued in
    // the thread pool behind the rootfs and etc files' work, so that conmon starts sooner.
    rmSync(join(ctx.dirs.exits, record.id), { force: true });
    rmSync(record.paths.bundle, { recursive: true, force: true });
    mkdirSync(files.persist, { recursive: true, mode: 0o700 });
    writeFileSync(files.runtimeLog, '');
    mark('bundle directory');
    await ctx.logRotator?.prepare(record);
    mark('log rotator');
    const spawned = await spawnConmon({
      conmonPath: ctx.config.conmonPath,
      runtime,
      id: record.id,
      name: record.name,
      bundle: record.paths.bundle,
      exitDir: ctx.dirs.exits,
      socketDir: ctx.dirs.sockets,
      logPath: record.paths.logPath,
      logDriver: record.spec.logging.driver,
      logMaxSize: sourceLogLimits(ctx, record).maxSize,
      pidFile: files.pid,
      conmonPidFile: files.conmonPid,
      runtimeLog: files.runtimeLog,
      persistDir: files.persist,
      terminal: record.spec.basic.tty,
      stdin: record.spec.basic.openStdin,
      // Only a `StdinOnce` container loses its stdin when the first client leaves; a terminal never does.
      leaveStdinOpen: record.spec.basic.tty || !record.spec.basic.stdinOnce,
    });
    mark('conmon spawn');
    return spawned;
  };
  // The rootfs and the etc files live in the data dir, apart from the bundle on the exec root and from
  // conmon, so they are made while the bundle is prepared and conmon starts; so is the network, in a
  // netns of the container's own that it joins at create (when it has one: `ownNetns`). All always
  // settle before a failure is thrown: a mount still in flight when the undo ran was left behind.
  const netns = ownNetns(ctx, record);
  // First, so that its synchronous steps and its spawns are not queued behind the others'.
  const bundling = prepareBundle();
  const etcFiles = timed('etc files', () => writeEtcFiles(record));
  // The create needs the netns to exist, not its links: those are made while the runtime creates the
  // container, and are done before it starts (the container runs nothing before that).
  let netnsMade: () => void = () => undefined;
  const made = new Promise<void>((resolve) => (netnsMade = resolve));
  const wiring =
    netns === undefined
      ? Promise.resolve()
      : timed('network attach', () => attachNetworks(ctx, record, { name: netns }, etcFiles, netnsMade));
  const networked = wiring.then(() => {
    if (netns !== undefined) wired = true;
  });
  networked.catch(() => undefined);
  const preparing = Promise.allSettled([
    timed('rootfs mount', () => ctx.images.mountRootfs(record.imageId, record.paths.dir, record.idMappings)),
    etcFiles,
    netns === undefined ? Promise.resolve() : timed('netns made', () => Promise.race([made, wiring])),
  ]);
  const prepared = async (): Promise<Awaited<typeof preparing>> => {
    const settled = await preparing;
    mounted = settled[0].status === 'fulfilled';
    return settled;
  };
  try {
    try {
      conmon = await bundling;
    } catch (err) {
      await prepared();
      throw err;
    }
    const [mount, etc, network] = await prepared();
    t = tracer?.now() ?? 0;
    if (mount.status === 'rejected') throw mount.reason;
    if (etc.status === 'rejected') throw etc.reason;
    if (network.status === 'rejected') throw network.reason;
    const layout = mount.value;
    const user = await withGroupAdd(
      await resolveUser(layout.target, record.process.user),
      layout.target,
      record.spec.security.groupAdd,
    );
    mark('user resolve');
    const { security } = record.spec;
    const spec = buildSpec({
      record,
      rootfs: layout.target,
      binds: await resolvedBinds(ctx, record, layout.target),
      user,
      hostRlimits: ctx.hostRlimits,
      hostCapabilities: ctx.hostCapabilities,
      network: netnsFor(ctx, record, netns),
      cgroupsPath: containerCgroupsPath(ctx, record),
      initPath: record.spec.basic.init ? initBinary() : undefined,
      namespaces: namespaceModes(ctx, record),
      devices: await containerDevices(security.privileged, security.devices),
    });
    mark('config build (binds, devices, security)');
    const json = JSON.stringify(spec);
    mark('config serialise');
    // Into the bundle made afresh above, on the exec root (a tmpfs), read by nobody before the create:
    // one plain write (0600: it holds the Env), not queued in the thread pool behind the others' work.
    writeFileSync(files.config, json, { mode: 0o600 });
    mark('config write');
    if (spec.process) {
      lookup = commandProblem(layout.target, spec.process, spec.mounts);
      lookup.catch(() => undefined);
    }
    const pending = conmon;
    conmon = undefined;
    crashPoint('before-runtime-create');
    const { pid, conmonPid } = await pending.proceed().catch((err: unknown) => {
      createFailed = true;
      throw err;
    });
    created = true;
    mark('runtime create (via conmon)');
    crashPoint('after-runtime-create');
    if (netns === undefined) {
      await attachNetworks(ctx, record, { pid });
      wired = true;
      mark('network attach');
    } else {
      await networked;
      mark('network attach (rest, after create)');
    }
    await runAttachHooks(ctx, record.id);
    mark('attach');
    const startedAt = new Date().toISOString();
    crashPoint('before-runtime-start');
    await runtime.start(record.id);
    mark('runtime start');
    crashPoint('after-runtime-start');
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
      // A check starts over at each start (Docker's initHealthMonitor); its log is kept.
      ...(probeCommand(record.spec.health)
        ? { health: { status: 'starting' as const, failingStreak: 0, log: record.state.health?.log ?? [] } }
        : {}),
    };
    record.startCount += 1;
    // The process runs from here on: a data root it has already filled (a container that writes at
    // once) must not undo the start. The state stays in memory; the exit's save writes it.
    if (!ctx.store.updateOrKeep(record)) {
      ctx.log.warn('the data root is full: the running state is kept in memory until it can be saved', {
        id: record.id,
      });
    }
    ctx.supervised.track(record.id, conmonPid);
    emit(ctx, 'start', record);
    tracer?.mark(record.id, 'record save and start event', t);
  } catch (caught) {
    conmon?.abort();
    // Before the rootfs is unmounted below.
    const problem = await lookup?.catch(() => undefined);
    // The links may still be in the making: they settle before the undo, as the mount does. Links that
    // failed while the runtime created the container took the netns along with them, and the create
    // then failed for want of it: the network's error is the cause, and the one reported.
    const netErr = await networked.then(
      () => undefined,
      (e: unknown) => e,
    );
    const err = createFailed && netErr !== undefined ? netErr : caught;
    await runAttachHooks(ctx, record.id, false);
    const undo = (step: string) => logFailure(ctx.log, `undoing a failed start: ${step}`, { id: record.id });
    if (created) await runtime.delete(record.id, true).catch(undo('deleting the runtime state'));
    if (wired) await detachNetworks(ctx, record.id);
    await rm(join(ctx.dirs.exits, record.id), { force: true }).catch(undo('removing the exit file'));
    await rm(record.paths.bundle, { recursive: true, force: true }).catch(undo('removing the bundle'));
    if (mounted) await ctx.images.unmountRootfs(record.paths.dir).catch(undo('unmounting the rootfs'));
    ctx.launching?.delete(record.id);
    await releaseVolumes(ctx, record);
    throw recordStartFailure(ctx, record, err, problem);
  } finally {
    ctx.launching?.delete(record.id);
  }
}

/** Keeps the failure in the container's state (ExitCode 126/127/128 and Error, as Docker) and rethrows. */
function recordStartFailure(
  ctx: RuntimeContext,
  record: ContainerRecord,
  err: unknown,
  problem: CommandProblem | undefined,
): PolisError {
  const error = dockerWording(
    record,
    classifyStartFailure(
      isPolisError(err)
        ? err
        : new PolisError('container.start_failed', (err as Error).message, { cause: err }),
      problem,
    ),
  );
  const exitCode = typeof error.context.exitCode === 'number' ? error.context.exitCode : 128;
  const current = ctx.store.byId(record.id);
  if (current) {
    current.state = { ...current.state, exitCode, error: error.message, pid: 0, conmonPid: 0 };
    // On a full data root the failure stays the one reported, not the failed save of it.
    ctx.store.updateOrKeep(current);
  }
  return error;
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
