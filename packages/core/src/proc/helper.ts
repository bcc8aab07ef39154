import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PolisError } from '../errors.js';

/** One command for the helper: run to its end, with its stdout (capped) and stderr captured. */
export interface HelperRequest {
  command: string;
  args: readonly string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  input?: string | Buffer;
  maxStdout: number;
  /** SIGTERM after this many ms, as Node's `timeout` (0 or absent: none). */
  timeoutMs?: number;
}

/** A long-lived process (conmon) to start: its fds from FIFO paths, no output captured. */
export interface HelperStart {
  command: string;
  args: readonly string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  /** Opens `path` (a FIFO whose other end the caller holds) for reading or writing as the child's `fd`. */
  fds: { fd: number; path: string; mode: 'r' | 'w' }[];
  /** In a session of its own (setsid), as Node's `detached`. */
  detached: boolean;
}

/** How a started process ended. */
export interface HelperExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type HelperResult =
  | { kind: 'exited'; code: number; stdout: Buffer; stderr: Buffer }
  | { kind: 'signaled'; signal: NodeJS.Signals; stdout: Buffer; stderr: Buffer }
  /** Not started: the errno's name (ENOENT, EACCES…), as Node's spawn reports it. */
  | { kind: 'failed'; errno: string }
  /** A `start` that exec'd. */
  | { kind: 'started'; pid: number };

export const BUILT_HELPER = fileURLToPath(new URL('../../native/polis-spawn', import.meta.url));
/** Past this many helper deaths, commands go back to Node's own spawn for good. */
const MAX_RESTARTS = 3;

const signalNames = new Map(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);
const errnoNames = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/**
 * polisd's link to `polis-spawn` (`packages/core/native/spawn-helper.c`), a small process that forks
 * for it: a fork of the ~120 MB daemon costs ~5 ms of its event loop, a fork of the helper a fraction
 * of a millisecond. Requests and answers are frames over the helper's stdin and stdout; any number run
 * at once. The helper is started with the first command and holds the daemon's event loop only while
 * a command is running. With `POLIS_SPAWN_HELPER=0` (a path: another build; see `spawnHelper`), or
 * where it is not built (no C compiler at set-up), `proc.run` uses Node's spawn.
 */
export class SpawnHelper {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<
    number,
    { resolve: (r: HelperResult) => void; reject: (e: unknown) => void }
  >();
  /** Started processes, until the answer of their exit (which does not hold the event loop). */
  private readonly running = new Map<
    number,
    { resolve: (e: HelperExit) => void; reject: (e: unknown) => void }
  >();
  private nextId = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private restarts = 0;

  constructor(private readonly path: string) {}

  /** The helper's pid while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether commands can go through the helper (false once it has died too often). */
  get usable(): boolean {
    return this.restarts <= MAX_RESTARTS;
  }

  run(request: HelperRequest): Promise<HelperResult> {
    return this.send((id) => encode(id, request));
  }

  /**
   * Starts a long-lived process and resolves with its pid once it has exec'd (a `failed` answer when it
   * could not), and `exited` for when it ends.
   */
  async start(request: HelperStart): Promise<{ pid: number; exited: Promise<HelperExit> } | HelperResult> {
    let id = 0;
    const answer = await this.send((n) => {
      id = n;
      return encode(n, { ...request, maxStdout: 0 }, request);
    });
    if (answer.kind !== 'started') return answer;
    const exited = new Promise<HelperExit>((resolve, reject) => this.running.set(id, { resolve, reject }));
    exited.catch(() => undefined);
    return { pid: answer.pid, exited };
  }

  private send(frame: (id: number) => Buffer): Promise<HelperResult> {
    const child = this.started();
    const id = this.nextId++;
    const bytes = frame(id);
    return new Promise<HelperResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.hold(child, true);
      child.stdin!.write(bytes);
    });
  }

  /**
   * The helper holds the event loop while an answer is awaited, by its output and by its process (so
   * that its death is seen even once its output has closed), and never otherwise.
   */
  private hold(child: ChildProcess | undefined, on: boolean): void {
    if (!child) return;
    if (on) {
      child.ref();
      (child.stdout as Socket).ref();
    } else {
      child.unref();
      (child.stdout as Socket).unref();
    }
  }

  private started(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn(this.path, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child = child;
    child.unref();
    child.stdin!.on('error', () => undefined);
    child.stdout!.on('data', (chunk: Buffer) => this.received(chunk));
    (child.stdout as Socket).unref();
    const gone = (why: string): void => {
      if (this.child !== child) return;
      this.child = undefined;
      this.restarts += 1;
      this.chunks = [];
      this.buffered = 0;
      const err = new PolisError('process.failed', `the spawn helper ${why}`, {
        context: { path: this.path },
      });
      for (const p of [...this.pending.values(), ...this.running.values()]) p.reject(err);
      this.pending.clear();
      this.running.clear();
    };
    child.on('error', (err) => gone(`could not run: ${err.message}`));
    child.on('exit', (code, signal) => gone(`exited (${signal ?? `code ${code}`})`));
    return child;
  }

  private received(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < 4) return;
      let data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      this.chunks = [data];
      const size = data.readUInt32LE(0);
      if (this.buffered < 4 + size) return;
      this.answer(data.subarray(4, 4 + size));
      data = data.subarray(4 + size);
      this.chunks = data.length > 0 ? [data] : [];
      this.buffered = data.length;
    }
  }

  private answer(frame: Buffer): void {
    const id = frame.readUInt32LE(0);
    const kind = frame.readInt32LE(4);
    const value = frame.readInt32LE(8);
    const outLen = frame.readUInt32LE(12);
    const errLen = frame.readUInt32LE(16);
    // Copies: the frame's buffer is reused for what arrives next.
    const stdout = Buffer.from(frame.subarray(20, 20 + outLen));
    const stderr = Buffer.from(frame.subarray(20 + outLen, 20 + outLen + errLen));
    const ran = this.running.get(id);
    if (ran && kind !== 3) {
      this.running.delete(id);
      ran.resolve(
        kind === 1
          ? { code: null, signal: signalNames.get(value) ?? 'SIGKILL' }
          : { code: value, signal: null },
      );
      return;
    }
    const waiter = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.hold(this.child, false);
    if (!waiter) return;
    if (kind === 3) waiter.resolve({ kind: 'started', pid: value });
    else if (kind === 0) waiter.resolve({ kind: 'exited', code: value, stdout, stderr });
    else if (kind === 1)
      waiter.resolve({ kind: 'signaled', signal: signalNames.get(value) ?? 'SIGKILL', stdout, stderr });
    else waiter.resolve({ kind: 'failed', errno: errnoNames.get(value) ?? `errno ${value}` });
  }
}

function encode(id: number, r: HelperRequest, start?: HelperStart): Buffer {
  const env = Object.entries(r.env)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  const fds = (start?.fds ?? []).map((f) => `${f.fd}${f.mode}${f.path}`);
  const strings = [r.cwd ?? '', r.command, ...r.args, ...env, ...fds];
  for (const s of strings) {
    if (s.includes('\0')) {
      throw new PolisError('process.failed', `${r.command}: an argument or variable holds a NUL byte`, {
        context: { command: r.command },
      });
    }
  }
  const text = Buffer.from(strings.join('\0') + '\0');
  const input = r.input === undefined ? Buffer.alloc(0) : Buffer.from(r.input);
  const head = Buffer.alloc(40);
  head.writeUInt32LE(36 + text.length + input.length, 0);
  head.writeUInt32LE(id, 4);
  head.writeUInt32LE(1 + r.args.length, 8);
  head.writeUInt32LE(env.length, 12);
  head.writeUInt32LE(r.input === undefined ? 0 : 1, 16);
  head.writeUInt32LE(input.length, 20);
  head.writeUInt32LE(Math.min(r.maxStdout, 0xffffffff), 24);
  head.writeUInt32LE(start ? 1 | (start.detached ? 2 : 0) : 0, 28);
  head.writeUInt32LE(fds.length, 32);
  head.writeUInt32LE(Math.max(0, Math.min(Math.ceil(r.timeoutMs ?? 0), 0xffffffff)), 36);
  return Buffer.concat([head, text, input]);
}

let shared: SpawnHelper | undefined | null;

/** The process's helper, when it is built and not turned off; undefined means Node's spawn. */
export function spawnHelper(): SpawnHelper | undefined {
  if (shared === undefined) {
    // On unless POLIS_SPAWN_HELPER=0; another build by its path.
    const setting = process.env.POLIS_SPAWN_HELPER;
    const path = setting === undefined || setting === '' || setting === '1' ? BUILT_HELPER : setting;
    shared =
      path !== undefined && path !== '' && path !== '0' && existsSync(path) ? new SpawnHelper(path) : null;
  }
  return shared?.usable ? shared : undefined;
}
