import { readFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { PolisError, proc } from '@polis/core';
import type { OciRuntime } from './runtime.js';
import { classifyStartFailure, runtimeLogMessage } from './errors.js';

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
  logMaxSize: number;
  pidFile: string;
  conmonPidFile: string;
  /** The runtime's JSON log (its errors land here). */
  runtimeLog: string;
  terminal?: boolean;
  stdin?: boolean;
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
    '1',
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
    '--socket-dir-path',
    o.socketDir,
    '-l',
    `k8s-file:${o.logPath}`,
    '--log-level',
    'warning',
    '--no-new-keyring',
    '--no-sync-log',
  ];
  if (o.logMaxSize > 0) args.push('--log-size-max', String(o.logMaxSize));
  if (o.terminal) args.push('-t');
  if (o.stdin) args.push('-i');
  for (const a of [...o.runtime.globalArgs(), '--log', o.runtimeLog]) args.push('--runtime-arg', a);
  return args;
}

/**
 * Starts conmon, which runs `<runtime> create` and then stays as the container's supervisor
 * (it outlives polisd). Protocol, as podman drives it: fd 3 is the sync pipe (conmon writes
 * `{"data": <pid>}` once the container is created, or a negative value and a message), fd 4 the
 * start pipe (one byte lets conmon go on). The daemonised conmon keeps the sync pipe open, so we read
 * one message and then close our end.
 */
export async function conmonCreate(o: ConmonOptions): Promise<ConmonResult> {
  const args = conmonArgs(o);
  const child = proc.start(o.conmonPath, args, {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' },
    detached: true,
  });
  const sync = child.stdio[3] as Readable;
  const startPipe = child.stdio[4] as Writable;
  let message: { data: number; message?: string };
  try {
    message = await new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(
        () =>
          reject(new PolisError('runtime.failed', `conmon for ${o.id}: no answer in ${SYNC_TIMEOUT_MS} ms`)),
        SYNC_TIMEOUT_MS,
      );
      const done = (err: Error | null, value?: { data: number; message?: string }): void => {
        clearTimeout(timer);
        sync.removeAllListeners('data');
        if (err) reject(err);
        else resolve(value as { data: number; message?: string });
      };
      child.once('error', (err) => done(err));
      sync.on('data', (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        const nl = buf.indexOf('\n');
        const candidate = nl >= 0 ? buf.slice(0, nl) : buf;
        try {
          done(null, JSON.parse(candidate) as { data: number; message?: string });
        } catch {
          // partial message: wait for more
        }
      });
      sync.once('end', () =>
        done(new PolisError('runtime.failed', `conmon for ${o.id} exited before reporting the container`)),
      );
      startPipe.on('error', () => undefined);
      startPipe.end('0');
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw await createFailure(o, err);
  } finally {
    sync.destroy();
    startPipe.destroy();
    child.unref();
  }
  if (typeof message.data !== 'number' || message.data <= 0) {
    const why = (await runtimeLogMessage(o.runtimeLog)) ?? message.message ?? 'container create failed';
    const { code, exitCode } = classifyStartFailure(why);
    throw new PolisError(code, `${o.runtime.name}: ${why}`, { context: { id: o.id, exitCode } });
  }
  const conmonPid =
    Number.parseInt((await readFile(o.conmonPidFile, 'utf8').catch(() => '0')).trim(), 10) || 0;
  return { pid: message.data, conmonPid };
}

async function createFailure(o: ConmonOptions, err: unknown): Promise<PolisError> {
  const why = await runtimeLogMessage(o.runtimeLog);
  if (why) {
    const { code, exitCode } = classifyStartFailure(why);
    return new PolisError(code, `${o.runtime.name}: ${why}`, { cause: err, context: { id: o.id, exitCode } });
  }
  if (err instanceof PolisError) return err;
  return new PolisError('runtime.failed', `conmon for ${o.id}: ${(err as Error).message}`, { cause: err });
}
