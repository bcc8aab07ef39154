import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError, generateId, logFailure, type Spec } from '@polis/core';
import { bundleDir, emit, runtimeFor, type RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';
import { classifyStartFailure, commandProblem } from '../bundle/resolve-command.js';
import { resolveUser } from '../bundle/user.js';
import { AttachConnection } from '../attach/connection.js';
import { conmonCtl, resizeMessage } from '../attach/ctl.js';
import { parseDetachKeys } from '../attach/detach-keys.js';
import { relay } from '../attach/relay.js';
import { AsyncQueue } from '../attach/queue.js';
import type { ExecConfig, ExecRecord, ExecStartOptions, LogEntry } from '../types.js';
import { execProcess } from './process-spec.js';
import { refuseIfRemoving } from '../lifecycle/removal-mark.js';
import { runExecConmon } from './conmon-exec.js';
import { descendantsOf } from './descendants.js';

/** Exec sessions live in memory, as Docker's: they end with the daemon. */
export class ExecSessions {
  private readonly sessions = new Map<string, ExecRecord>();

  constructor(private readonly ctx: RuntimeContext) {}

  create(reference: string, config: ExecConfig): ExecRecord {
    const container = resolveContainer(this.ctx.store, reference);
    requireRunning(container.id, container.state.status);
    refuseIfRemoving(this.ctx, container.id, 'run exec');
    if (config.cmd.length === 0) throw new PolisError('request.invalid', 'No exec command specified');
    if (config.detachKeys !== undefined) parseDetachKeys(config.detachKeys);
    const record: ExecRecord = {
      id: generateId(),
      containerId: container.id,
      config,
      running: false,
      exitCode: undefined,
      pid: 0,
      started: false,
    };
    this.sessions.set(record.id, record);
    emit(this.ctx, `exec_create: ${config.cmd.join(' ')}`, container, { execID: record.id });
    return { ...record };
  }

  get(id: string): ExecRecord {
    const record = this.sessions.get(id);
    if (!record)
      throw new PolisError('container.not_found', `No such exec instance: ${id}`, { context: { id } });
    return { ...record };
  }

  /**
   * Kills a running exec and every process it started (a health check past its timeout): its
   * descendants are found through /proc before any is killed, so none is reparented and missed.
   */
  kill(id: string): void {
    const record = this.sessions.get(id);
    if (!record?.running || record.pid <= 0) return;
    for (const pid of [record.pid, ...descendantsOf(record.pid)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Drops a finished session (health probes, which no client will inspect). */
  forget(id: string): void {
    const record = this.sessions.get(id);
    if (record && !record.running) this.sessions.delete(id);
  }

  /** Ids of a container's exec sessions (inspect's ExecIDs). */
  ofContainer(containerId: string): string[] {
    return [...this.sessions.values()].filter((s) => s.containerId === containerId).map((s) => s.id);
  }

  async resize(id: string, height: number, width: number): Promise<void> {
    const record = this.get(id);
    if (!record.running) throw new PolisError('container.not_running', `Exec ${id} is not running`);
    if (record.config.tty) await conmonCtl(this.dir(record), resizeMessage(height, width));
  }

  /**
   * Starts the exec. Detached: returns once it runs, and records its exit in the background.
   * Attached: yields its output until it ends (or the client detaches), feeding it the client's input.
   */
  async start(id: string, options: ExecStartOptions, signal?: AbortSignal): Promise<AsyncIterable<LogEntry>> {
    const record = this.sessions.get(id);
    if (!record) throw new PolisError('container.not_found', `No such exec instance: ${id}`);
    if (record.started) throw new PolisError('container.is_running', `Exec ${id} has already run`);
    const container = resolveContainer(this.ctx.store, record.containerId);
    requireRunning(container.id, container.state.status);
    refuseIfRemoving(this.ctx, container.id, 'run exec');
    record.started = true;
    const dir = this.dir(record);
    // The exec's files are on the exec root (a tmpfs), beside the container's bundle: a few calls of
    // microseconds, made at once rather than queued in the thread pool.
    mkdirSync(join(dir, 'exit'), { recursive: true });
    const spec = JSON.parse(readFileSync(join(container.paths.bundle, 'config.json'), 'utf8')) as Spec;
    const user = record.config.user
      ? await resolveUser(container.paths.rootfs, record.config.user)
      : undefined;
    const process = execProcess(
      spec.process as NonNullable<Spec['process']>,
      record.config,
      user,
      this.ctx.hostCapabilities,
    );
    // 0600: it holds the Env. Read by nobody before conmon starts `crun exec` below.
    writeFileSync(join(dir, 'process.json'), JSON.stringify(process), { mode: 0o600 });
    // Looked up beside the exec: it only names the reason of a failure (127/126).
    const lookup = commandProblem(container.paths.rootfs, process, spec.mounts).catch(() => undefined);

    const attach = !options.detach;
    const queue = new AsyncQueue<LogEntry>();
    let conn: AttachConnection | undefined;
    const running = await runExecConmon(
      {
        conmonPath: this.ctx.config.conmonPath,
        runtime: runtimeFor(this.ctx, container.runtime),
        containerId: container.id,
        execId: record.id,
        dir,
        socketDir: this.ctx.dirs.sockets,
        tty: record.config.tty,
        stdin: attach && record.config.attachStdin,
        attach,
      },
      async () => {
        conn = await AttachConnection.connect(join(this.ctx.dirs.sockets, record.id, 'attach'));
      },
    ).catch(async (err) => {
      await this.cleanup(record);
      throw err;
    });
    record.running = true;
    emit(this.ctx, `exec_start: ${record.config.cmd.join(' ')}`, container, { execID: record.id });
    running.pid.then((pid) => (record.pid = pid)).catch(() => undefined);
    const finished = running.exit
      .then(
        (code) => code,
        async (failure: PolisError) => {
          const err = classifyStartFailure(failure, await lookup);
          if (attach)
            queue.push({
              stream: 'stderr',
              time: new Date().toISOString(),
              data: Buffer.from(`${err.message}\n`),
            });
          return typeof err.context?.exitCode === 'number' ? err.context.exitCode : 126;
        },
      )
      .then(async (code) => {
        record.running = false;
        record.exitCode = code;
        emit(this.ctx, 'exec_die', container, { execID: record.id, exitCode: String(code) });
        // The exit code is known: the client need not wait for the files to go.
        void this.cleanup(record);
        return code;
      });
    if (!attach || !conn) return (async function* () {})();
    return relay(conn, {
      tty: record.config.tty,
      stdout: record.config.attachStdout,
      stderr: record.config.attachStderr,
      stdin: record.config.attachStdin ? options.stdin : undefined,
      detachKeys: record.config.detachKeys,
      alsoWaitFor: finished,
      queue,
      signal,
    });
  }

  /** On the exec root, beside the container's bundle: conmon writes the exec's exit there. */
  private dir(record: ExecRecord): string {
    return join(bundleDir(this.ctx, record.containerId), 'exec', record.id);
  }

  private async cleanup(record: ExecRecord): Promise<void> {
    const failed = logFailure(this.ctx.log, 'removing the files of an exec', { exec: record.id });
    await rm(join(this.ctx.dirs.sockets, record.id), { force: true }).catch(failed);
    await rm(this.dir(record), { recursive: true, force: true }).catch(failed);
  }
}

export function requireRunning(id: string, status: string): void {
  if (status === 'paused') {
    throw new PolisError(
      'container.is_paused',
      `Container ${id} is paused, unpause the container before exec`,
    );
  }
  if (status !== 'running') throw new PolisError('container.not_running', `Container ${id} is not running`);
}
