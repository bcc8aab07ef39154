import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { PolisError, proc } from '@polis/core';
import type { OciRuntime } from '../oci/runtime.js';
import { runtimeMessage } from '../oci/errors.js';

export interface ExecConmonOptions {
  conmonPath: string;
  runtime: OciRuntime;
  containerId: string;
  execId: string;
  /** Per-exec directory: process.json, pid, exit dir, and conmon's attach socket, ctl and winsz. */
  dir: string;
  socketDir: string;
  tty: boolean;
  stdin: boolean;
  /** Attached: conmon waits (attach pipe handshake) until we are connected to its socket. */
  attach: boolean;
}

type Message = { data: number; message?: string };

/** Splits newline-separated JSON messages as they arrive on a pipe. */
function messages(stream: Readable): AsyncGenerator<Message> {
  return (async function* () {
    let buf = '';
    for await (const chunk of stream) {
      buf += (chunk as Buffer).toString('utf8');
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) yield JSON.parse(line) as Message;
      }
    }
    if (buf.trim()) yield JSON.parse(buf) as Message;
  })();
}

export function execConmonArgs(o: ExecConmonOptions): string[] {
  const args = [
    '--api-version',
    '-c',
    o.containerId,
    '-u',
    o.execId,
    '-r',
    o.runtime.path,
    '-b',
    o.dir,
    '-p',
    `${o.dir}/pid`,
    '--socket-dir-path',
    o.socketDir,
    '-l',
    'none',
    '--log-level',
    'warning',
    '--no-new-keyring',
    '--no-sync-log',
    '-e',
    '--exec-process-spec',
    `${o.dir}/process.json`,
    '--exit-dir',
    `${o.dir}/exit`,
  ];
  if (o.tty) args.push('-t');
  if (o.stdin) args.push('-i');
  if (o.attach) args.push('--exec-attach');
  for (const a of [...o.runtime.globalArgs(), '--log', `${o.dir}/runtime.log`]) args.push('--runtime-arg', a);
  return args;
}

export interface RunningExec {
  /** Resolves with the exec's pid once the runtime has started it. */
  pid: Promise<number>;
  /** Resolves with the exit code (or rejects with a typed error when the process could not start). */
  exit: Promise<number>;
}

/**
 * Runs an exec through conmon (`conmon -e`), as podman does. Attached: conmon reports on fd 5 when
 * its socket is ready; `connect` is called then, and the process starts only after it returns. The
 * sync pipe (fd 3) gives the pid, then the exit code, then EOF. The pipes are FIFOs in the exec's
 * directory that conmon opens by name, so that the spawn helper can start it (`proc.startWith`).
 */
export async function runExecConmon(
  o: ExecConmonOptions,
  connect: () => Promise<void>,
): Promise<RunningExec> {
  const made = await proc.pipes(o.dir, o.attach ? 3 : 2, { keep: true });
  const [syncPipe, startPipe, attachPipeFds] = made as [proc.PipeFds, proc.PipeFds, proc.PipeFds | undefined];
  let started: proc.Started;
  try {
    started = await proc.startWith(o.conmonPath, execConmonArgs(o), {
      env: {
        ...process.env,
        _OCI_SYNCPIPE: '3',
        _OCI_STARTPIPE: '4',
        ...(o.attach ? { _OCI_ATTACHPIPE: '5' } : {}),
      },
      cwd: o.dir,
      detached: true,
      fds: [
        { fd: 3, path: syncPipe.path, own: syncPipe.write, mode: 'w' },
        { fd: 4, path: startPipe.path, own: startPipe.read, mode: 'r' },
        ...(attachPipeFds
          ? [{ fd: 5, path: attachPipeFds.path, own: attachPipeFds.write, mode: 'w' as const }]
          : []),
      ],
    });
  } catch (err) {
    proc.closePipe({ read: syncPipe.read, write: startPipe.write });
    if (attachPipeFds) proc.closePipe({ read: attachPipeFds.read, write: -1 });
    throw err;
  } finally {
    // conmon holds its ends now (or never will): ours would keep the pipes from ending.
    proc.closePipe({ read: startPipe.read, write: syncPipe.write });
    if (attachPipeFds) proc.closePipe({ read: -1, write: attachPipeFds.write });
    proc.unlinkAll(made.map((p) => p.path));
  }
  const syncStream = new Socket({ fd: syncPipe.read, readable: true, writable: false });
  const attachPipe = attachPipeFds
    ? new Socket({ fd: attachPipeFds.read, readable: true, writable: false })
    : undefined;
  const startStream = new Socket({ fd: startPipe.write, readable: false, writable: true });
  startStream.on('error', () => undefined);
  const sync = messages(syncStream);
  try {
    if (o.attach) {
      startStream.write('0');
      const ready = await messages(attachPipe as Readable).next();
      if (ready.done || ready.value.data !== 0) {
        throw new PolisError('runtime.failed', `exec ${o.execId}: conmon did not open its attach socket`);
      }
      await connect();
    }
    startStream.end('0');
  } catch (err) {
    try {
      process.kill(started.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    syncStream.destroy();
    attachPipe?.destroy();
    startStream.destroy();
    throw err;
  }
  let resolvePid!: (pid: number) => void;
  let rejectPid!: (err: unknown) => void;
  const pid = new Promise<number>((res, rej) => {
    resolvePid = res;
    rejectPid = rej;
  });
  pid.catch(() => undefined);
  const exit = (async () => {
    try {
      const first = await sync.next();
      if (first.done || first.value.data <= 0) {
        const logged = runtimeMessage(await readFile(`${o.dir}/runtime.log`, 'utf8').catch(() => ''));
        const why = logged ?? (first.done ? 'exec failed' : (first.value.message ?? 'exec failed')).trim();
        const err = new PolisError('container.start_failed', `OCI runtime exec failed: ${why}`);
        rejectPid(err);
        throw err;
      }
      resolvePid(first.value.data);
      const second = await sync.next();
      return second.done ? 255 : second.value.data;
    } finally {
      syncStream.destroy();
      attachPipe?.destroy();
      startStream.destroy();
    }
  })();
  return { pid, exit };
}
