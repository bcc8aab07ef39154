import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { PolisError, proc } from '@polis/core';
import type { OciRuntime } from './runtime.js';
import { runtimeLogMessage } from './errors.js';
import { conmonLogArgs } from '../logs/drivers.js';

export interface ConmonOptions {
  conmonPath: string;
  runtime: OciRuntime;
  id: string;
  name: string;
  bundle: string;
  /** Where conmon writes `<id>` with the exit code when the container ends. */
  exitDir: string;
  socketDir: string;
  logPath: string;
  /** The container's log driver (`none` gives conmon no log; see `conmonLogArgs`). */
  logDriver?: string;
  logMaxSize: number;
  pidFile: string;
  conmonPidFile: string;
  /** The runtime's JSON log (its errors land here). */
  runtimeLog: string;
  /** conmon writes `oom` here when the kernel's OOM killer hit the container. */
  persistDir: string;
  terminal?: boolean;
  stdin?: boolean;
  leaveStdinOpen?: boolean;
}

export interface ConmonResult {
  pid: number;
  conmonPid: number;
}

const SYNC_TIMEOUT_MS = 60_000;

/** argv for conmon, as podman builds it for `create`. */
export function conmonArgs(o: ConmonOptions): string[] {
  const args = [
    '--api-version',
    '-c',
    o.id,
    '-u',
    o.id,
    '-n',
    o.name,
    '-r',
    o.runtime.path,
    '-b',
    o.bundle,
    '-p',
    o.pidFile,
    '-P',
    o.conmonPidFile,
    '--exit-dir',
    o.exitDir,
    '--persist-dir',
    o.persistDir,
    '--socket-dir-path',
    o.socketDir,
    ...conmonLogArgs(o.logDriver, o.logPath),
    '--log-level',
    'warning',
    '--no-new-keyring',
    '--no-sync-log',
  ];
  if (o.logMaxSize > 0) args.push('--log-size-max', String(o.logMaxSize));
  // As podman: conmon then finds the container's cgroup (for its OOM watch) as systemd names it.
  if (o.runtime.systemdCgroup) args.push('--systemd-cgroup');
  if (o.terminal) args.push('-t');
  if (o.stdin) args.push('-i');
  if (o.stdin && o.leaveStdinOpen) args.push('--leave-stdin-open');
  for (const a of [...o.runtime.globalArgs(), '--log', o.runtimeLog]) args.push('--runtime-arg', a);
  return args;
}

/** A conmon that has started and waits on its start pipe. */
export interface PendingConmon {
  /** Lets conmon run `<runtime> create`; resolves with the container's pid. */
  proceed(): Promise<ConmonResult>;
  /** Kills the waiting conmon (the bundle could not be prepared). */
  abort(): void;
}

type SyncMessage = { data: number; message?: string };

/**
 * Starts conmon, which runs `<runtime> create` and then stays as the container's supervisor
 * (it outlives polisd). Protocol, as podman drives it: fd 3 is the sync pipe (conmon writes
 * `{"data": <pid>}` once the container is created, or a negative value and a message), fd 4 the
 * start pipe (conmon waits for one byte before it does anything). Spawning early and writing the byte
 * once the bundle is ready hides conmon's start-up behind the rootfs mount. The daemonised conmon
 * keeps the sync pipe open, so we read one message and then close our end. The pipes are FIFOs in
 * the bundle that conmon opens by name, so that the spawn helper can start it (`proc.startWith`).
 */
export async function spawnConmon(o: ConmonOptions): Promise<PendingConmon> {
  const [syncPipe, startPipe] = (await proc.pipes(o.bundle, 2, { keep: true })) as [
    proc.PipeFds,
    proc.PipeFds,
  ];
  let started: proc.Started;
  try {
    started = await proc.startWith(o.conmonPath, conmonArgs(o), {
      env: { ...process.env, _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' },
      // conmon writes stray files (e.g. `oom`) to its working directory: keep them in the bundle.
      cwd: o.bundle,
      detached: true,
      fds: [
        { fd: 3, path: syncPipe.path, own: syncPipe.write, mode: 'w' },
        { fd: 4, path: startPipe.path, own: startPipe.read, mode: 'r' },
      ],
    });
  } catch (err) {
    proc.closePipe({ read: syncPipe.read, write: startPipe.write });
    throw err;
  } finally {
    // conmon holds its ends now (or never will): ours would keep the pipes from ending.
    proc.closePipe({ read: startPipe.read, write: syncPipe.write });
    proc.unlinkAll([syncPipe.path, startPipe.path]);
  }
  const sync = new Socket({ fd: syncPipe.read, readable: true, writable: false });
  const start = new Socket({ fd: startPipe.write, readable: false, writable: true });
  start.on('error', () => undefined);
  const kill = (): void => {
    try {
      process.kill(started.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let timer: NodeJS.Timeout | undefined;
  let fail: (err: Error) => void = () => undefined;
  const message = new Promise<SyncMessage>((resolve, reject) => {
    let buf = '';
    const done = (err: Error | null, value?: SyncMessage): void => {
      clearTimeout(timer);
      sync.removeAllListeners('data');
      if (err) reject(err);
      else resolve(value as SyncMessage);
    };
    fail = (err) => done(err);
    sync.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      try {
        done(null, JSON.parse(nl >= 0 ? buf.slice(0, nl) : buf) as SyncMessage);
      } catch {
        // partial message: wait for more
      }
    });
    sync.once('error', (err) => done(err));
    sync.once('end', () =>
      done(new PolisError('runtime.failed', `conmon for ${o.id} exited before reporting the container`)),
    );
  });
  message.catch(() => undefined);
  const release = (): void => {
    sync.destroy();
    start.destroy();
  };
  return {
    abort() {
      kill();
      release();
    },
    async proceed() {
      let reply: SyncMessage;
      try {
        timer = setTimeout(() => fail(syncTimeout(o.id)), SYNC_TIMEOUT_MS);
        start.end('0');
        reply = await message;
      } catch (err) {
        kill();
        throw await createFailure(o, err);
      } finally {
        release();
      }
      if (typeof reply.data !== 'number' || reply.data <= 0) {
        const why = (await runtimeLogMessage(o.runtimeLog)) ?? reply.message ?? 'container create failed';
        throw new PolisError('container.start_failed', `${o.runtime.name}: ${why}`, {
          context: { id: o.id },
        });
      }
      const conmonPid =
        Number.parseInt((await readFile(o.conmonPidFile, 'utf8').catch(() => '0')).trim(), 10) || 0;
      return { pid: reply.data, conmonPid };
    },
  };
}

function syncTimeout(id: string): PolisError {
  return new PolisError('runtime.failed', `conmon for ${id}: no answer in ${SYNC_TIMEOUT_MS} ms`);
}

async function createFailure(o: ConmonOptions, err: unknown): Promise<PolisError> {
  const why = await runtimeLogMessage(o.runtimeLog);
  if (why) {
    return new PolisError('container.start_failed', `${o.runtime.name}: ${why}`, {
      cause: err,
      context: { id: o.id },
    });
  }
  if (err instanceof PolisError) return err;
  return new PolisError('runtime.failed', `conmon for ${o.id}: ${(err as Error).message}`, { cause: err });
}
