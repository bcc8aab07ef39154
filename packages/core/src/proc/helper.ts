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
}

export type HelperResult =
  | { kind: 'exited'; code: number; stdout: Buffer; stderr: Buffer }
  | { kind: 'signaled'; signal: NodeJS.Signals; stdout: Buffer; stderr: Buffer }
  /** Not started: the errno's name (ENOENT, EACCES…), as Node's spawn reports it. */
  | { kind: 'failed'; errno: string };

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
 * a command is running. Where it is not built (no C compiler at set-up) or `POLIS_SPAWN_HELPER=0`,
 * `proc.run` uses Node's spawn as before; `POLIS_SPAWN_HELPER=/path` names another build.
 */
export class SpawnHelper {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<
    number,
    { resolve: (r: HelperResult) => void; reject: (e: unknown) => void }
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
    const child = this.started();
    const id = this.nextId++;
    const frame = encode(id, request);
    return new Promise<HelperResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      (child.stdout as Socket).ref();
      child.stdin!.write(frame);
    });
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
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
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
    const waiter = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) (this.child?.stdout as Socket | undefined)?.unref();
    if (!waiter) return;
    if (kind === 0) waiter.resolve({ kind: 'exited', code: value, stdout, stderr });
    else if (kind === 1)
      waiter.resolve({ kind: 'signaled', signal: signalNames.get(value) ?? 'SIGKILL', stdout, stderr });
    else waiter.resolve({ kind: 'failed', errno: errnoNames.get(value) ?? `errno ${value}` });
  }
}

function encode(id: number, r: HelperRequest): Buffer {
  const env = Object.entries(r.env)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  const strings = [r.cwd ?? '', r.command, ...r.args, ...env];
  for (const s of strings) {
    if (s.includes('\0')) {
      throw new PolisError('process.failed', `${r.command}: an argument or variable holds a NUL byte`, {
        context: { command: r.command },
      });
    }
  }
  const text = Buffer.from(strings.join('\0') + '\0');
  const input = r.input === undefined ? Buffer.alloc(0) : Buffer.from(r.input);
  const head = Buffer.alloc(28);
  head.writeUInt32LE(24 + text.length + input.length, 0);
  head.writeUInt32LE(id, 4);
  head.writeUInt32LE(1 + r.args.length, 8);
  head.writeUInt32LE(env.length, 12);
  head.writeUInt32LE(r.input === undefined ? 0 : 1, 16);
  head.writeUInt32LE(input.length, 20);
  head.writeUInt32LE(Math.min(r.maxStdout, 0xffffffff), 24);
  return Buffer.concat([head, text, input]);
}

let shared: SpawnHelper | undefined | null;

/** The process's helper, when it is built and not turned off; undefined means Node's spawn. */
export function spawnHelper(): SpawnHelper | undefined {
  if (shared === undefined) {
    const setting = process.env.POLIS_SPAWN_HELPER;
    const path = setting === undefined || setting === '' || setting === '1' ? BUILT_HELPER : setting;
    shared = setting !== '0' && existsSync(path) ? new SpawnHelper(path) : null;
  }
  return shared?.usable ? shared : undefined;
}
