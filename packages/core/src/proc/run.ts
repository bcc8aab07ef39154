import { spawn, type ChildProcess, type SpawnOptions, type StdioOptions } from 'node:child_process';
import { PolisError } from '../errors.js';
import { spawnHelper } from './helper.js';

/**
 * The one place in Polis that starts processes. `run` waits for a command and returns its output
 * (through the spawn helper when it is built: `helper.ts`); `start` hands back the child for
 * long-lived or streaming use (conmon, tar pipelines).
 */
export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Exit codes that count as success (default [0]). */
  okCodes?: number[];
  /** Cap on captured stdout (bytes); stdout past it is dropped. Default 64 MiB. */
  maxStdout?: number;
}

export interface RunResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const STDERR_TAIL = 4096;

export function tail(text: string, max = STDERR_TAIL): string {
  const t = text.trim();
  return t.length > max ? t.slice(t.length - max) : t;
}

export async function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const okCodes = options.okCodes ?? [0];
  const maxStdout = options.maxStdout ?? 64 * 1024 * 1024;
  // A large input would not fit a helper's frame (64 MiB): those few commands fork from Node.
  const small = options.input === undefined || options.input.length <= HELPER_MAX_INPUT;
  const helper = small || command.startsWith(BUILTIN) ? spawnHelper() : undefined;
  if (helper) {
    const env = options.env ?? process.env;
    const answer = await helper.run({
      command,
      args,
      cwd: options.cwd,
      env,
      input: options.input,
      maxStdout,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    if (answer.kind === 'failed' || answer.kind === 'started') throw notStarted(command, args, answer);
    const signal = answer.kind === 'signaled' ? answer.signal : null;
    const result: RunResult = {
      code: answer.kind === 'exited' ? answer.code : 128,
      signal,
      stdout: answer.stdout.toString('utf8'),
      stderr: answer.stderr.toString('utf8'),
    };
    if (okCodes.includes(result.code) && signal === null) return result;
    throw failure(command, args, result);
  }
  return new Promise<RunResult>((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        timeout: options.timeoutMs,
      });
    } catch (err) {
      reject(spawnError(command, args, err));
      return;
    }
    const out: Buffer[] = [];
    let outLen = 0;
    const errChunks: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => {
      if (outLen < maxStdout) {
        out.push(b);
        outLen += b.length;
      }
    });
    child.stderr?.on('data', (b: Buffer) => errChunks.push(b));
    child.on('error', (err) => reject(spawnError(command, args, err)));
    child.on('close', (code, signal) => {
      const result: RunResult = {
        code: code ?? (signal ? 128 : -1),
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(errChunks).toString('utf8'),
      };
      if (okCodes.includes(result.code) && signal === null) resolve(result);
      else reject(failure(command, args, result));
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

export function failure(command: string, args: readonly string[], result: RunResult): PolisError {
  const stderr = tail(result.stderr);
  const why = result.signal ? `killed by ${result.signal}` : `exit code ${result.code}`;
  return new PolisError('process.failed', `${command} failed (${why})${stderr ? `: ${stderr}` : ''}`, {
    context: { command, args: [...args], exitCode: result.code, signal: result.signal, stderr },
  });
}

function notStarted(
  command: string,
  args: readonly string[],
  answer: { kind: 'failed'; errno: string } | { kind: 'started' },
): PolisError {
  const errno = answer.kind === 'failed' ? answer.errno : 'EPROTO';
  return spawnError(command, args, Object.assign(new Error(`spawn ${command} ${errno}`), { code: errno }));
}

function spawnError(command: string, args: readonly string[], err: unknown): PolisError {
  const errno = (err as NodeJS.ErrnoException).code;
  if (errno === 'ENOENT') {
    return new PolisError('process.not_found', `${command}: executable not found`, {
      cause: err,
      context: { command, args: [...args] },
    });
  }
  return new PolisError('process.failed', `${command}: ${(err as Error).message}`, {
    cause: err,
    context: { command, args: [...args] },
  });
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdio?: StdioOptions;
  detached?: boolean;
}

/** Starts a process and returns it; the caller owns its lifetime. */
export function start(command: string, args: readonly string[], options: StartOptions = {}): ChildProcess {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  };
  return spawn(command, args, spawnOptions);
}

/** Resolves when the child exits; rejects with a typed error (stderr tail included) on failure. */
export function waitFor(child: ChildProcess, command: string, args: readonly string[]): Promise<RunResult> {
  const errChunks: Buffer[] = [];
  child.stderr?.on('data', (b: Buffer) => errChunks.push(b));
  return new Promise((resolve, reject) => {
    child.on('error', (err) => reject(spawnError(command, args, err)));
    child.on('close', (code, signal) => {
      const result: RunResult = {
        code: code ?? -1,
        signal,
        stdout: '',
        stderr: Buffer.concat(errChunks).toString('utf8'),
      };
      if (code === 0) resolve(result);
      else reject(failure(command, args, result));
    });
  });
}

export type { ChildProcess };

/**
 * mount(2): `mount -t TYPE SOURCE -o DATA TARGET`, run by the spawn helper as one system call when it
 * is there (the mount program costs ~10 ms to start), else by the program. `cwd` is where relative
 * paths in DATA resolve (overlay's lowerdirs). Fails as `run` does: `process.failed`, stderr included.
 */
export async function mount(
  type: string,
  source: string,
  target: string,
  data: string,
  options: { cwd?: string } = {},
): Promise<void> {
  if (spawnHelper()) await run(`${BUILTIN}mount`, [source, target, type, data], options);
  else await run('mount', ['-t', type, source, '-o', data, target], options);
}

/** umount2(2) of `target`, detached with `lazy` (`umount [-l] TARGET`); by the helper when it is there. */
export async function umount(target: string, options: { lazy?: boolean } = {}): Promise<void> {
  if (spawnHelper()) await run(`${BUILTIN}umount`, [target, String(options.lazy ? MNT_DETACH : 0)]);
  else await run('umount', options.lazy ? ['-l', target] : [target]);
}

/**
 * A named network namespace at `path` (`/run/netns/NAME`) as `ip netns add NAME` makes it, by the spawn
 * helper in one forked child (`netns_add` in spawn-helper.c). Without the helper it does nothing and
 * returns false: the caller has `ip` make it (in an `ip -batch` of its own, say).
 */
export async function netnsAdd(path: string): Promise<boolean> {
  if (!spawnHelper()) return false;
  await run(`${BUILTIN}netns`, [path]);
  return true;
}

/** The largest stdin `run` sends through the helper (its frames hold at most 64 MiB). */
const HELPER_MAX_INPUT = 16 * 1024 * 1024;

/** argv[0] of the helper's own commands (`spawn-helper.c`). */
const BUILTIN = 'polis-spawn:';
const MNT_DETACH = 2;

/** One of a started process's fds: a FIFO whose other end the caller holds (see `pipes`). */
export interface ChildFd {
  /** The fd number in the child (3 and up). */
  fd: number;
  /** The FIFO, opened by the child (by the helper, before exec). */
  path: string;
  /** The caller's descriptor of the child's end, passed as it is where Node starts the process. */
  own: number;
  /** Whether the child reads it or writes it. */
  mode: 'r' | 'w';
}

export interface Started {
  pid: number;
  /** Resolves when the process ends (its code, or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a long-lived process whose stdio is /dev/null and whose fds 3 and up are pipes (conmon's sync,
 * start and attach pipes), and resolves once it has exec'd. By the spawn helper when it is there (its
 * fork is cheap; the child opens each pipe by its FIFO path), else by Node (the child gets `own`). The
 * caller closes its descriptors of the child's ends and unlinks the FIFOs once this resolves. Nothing
 * of it holds the event loop.
 */
export async function startWith(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; fds: ChildFd[]; detached?: boolean },
): Promise<Started> {
  const env = options.env ?? process.env;
  const detached = options.detached ?? false;
  const helper = spawnHelper();
  if (helper) {
    const started = await helper.start({
      command,
      args,
      cwd: options.cwd,
      env,
      detached,
      fds: options.fds.map((f) => ({ fd: f.fd, path: f.path, mode: f.mode })),
    });
    if ('exited' in started) return started;
    throw notStarted(command, args, started.kind === 'failed' ? started : { kind: 'started' });
  }
  const stdio: (number | 'ignore')[] = ['ignore', 'ignore', 'ignore'];
  for (const f of options.fds) {
    while (stdio.length < f.fd) stdio.push('ignore');
    stdio[f.fd] = f.own;
  }
  const child = spawn(command, args, { cwd: options.cwd, env, stdio, detached });
  child.unref();
  return new Promise<Started>((resolve, reject) => {
    child.once('error', (err) => reject(spawnError(command, args, err)));
    child.once('spawn', () =>
      resolve({
        pid: child.pid!,
        exited: new Promise((done) => child.once('exit', (code, signal) => done({ code, signal }))),
      }),
    );
  });
}
