import { readFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
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
 * sync pipe (fd 3) gives the pid, then the exit code, then EOF.
 */
export async function runExecConmon(
  o: ExecConmonOptions,
  connect: () => Promise<void>,
): Promise<RunningExec> {
  const child = proc.start(o.conmonPath, execConmonArgs(o), {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe', ...(o.attach ? (['pipe'] as const) : [])],
    env: {
      ...process.env,
      _OCI_SYNCPIPE: '3',
      _OCI_STARTPIPE: '4',
      ...(o.attach ? { _OCI_ATTACHPIPE: '5' } : {}),
    },
    cwd: o.dir,
    detached: true,
  });
  child.unref();
  const fds = child.stdio as unknown as (Readable | Writable | null)[];
  const attachPipe = fds[5] as Readable | undefined;
  const sync = messages(child.stdio[3] as Readable);
  const startPipe = child.stdio[4] as Writable;
  startPipe.on('error', () => undefined);
  try {
    if (o.attach) {
      startPipe.write('0');
      const ready = await messages(attachPipe as Readable).next();
      if (ready.done || ready.value.data !== 0) {
        throw new PolisError('runtime.failed', `exec ${o.execId}: conmon did not open its attach socket`);
      }
      await connect();
    }
    startPipe.end('0');
  } catch (err) {
    child.kill('SIGKILL');
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
      (child.stdio[3] as Readable).destroy();
      attachPipe?.destroy();
    }
  })();
  return { pid, exit };
}
