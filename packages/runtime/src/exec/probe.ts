import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateId, proc, writeFileAtomic, type Spec } from '@polis/core';
import { bundleDir, emit, runtimeFor, type RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';
import { descendantsOf, requireRunning } from './exec.js';
import { execProcess } from './process-spec.js';

export interface ProbeOptions {
  cmd: string[];
  /** Past it, the probe and everything it started are SIGKILLed. */
  timeoutMs: number;
  /** Bytes of output kept (stdout and stderr together, in arrival order); the rest is read and dropped. */
  maxOutput: number;
}

export interface ProbeResult {
  exitCode: number;
  output: Buffer;
  timedOut: boolean;
}

/** Where a container's probe process spec was written, for the start it belongs to. */
interface Prepared {
  startedAt: string;
  cmd: string;
  path: string;
}

/**
 * Health probes run by the OCI runtime directly (`crun exec --process FILE ID`, its stdout and stderr on
 * pipes to polisd), not through conmon as an interactive exec does: no supervisor, attach socket, exit
 * dir or per-probe files, and the process spec is written once per container start rather than per
 * probe. Nothing of a probe outlives it, so nothing needs conmon's supervision. Docker's events stay:
 * exec_create, exec_start and exec_die, as dockerd emits them for its checks.
 */
export class Prober {
  private readonly prepared = new Map<string, Prepared>();
  private probes = 0;

  constructor(private readonly ctx: RuntimeContext) {}

  async probe(reference: string, options: ProbeOptions): Promise<ProbeResult> {
    const container = resolveContainer(this.ctx.store, reference);
    requireRunning(container.id, container.state.status);
    const path = await this.processFile(container.id, container.state.startedAt, options.cmd, () =>
      readFile(join(container.paths.bundle, 'config.json'), 'utf8'),
    );
    const runtime = runtimeFor(this.ctx, container.runtime);
    // Errors go to the probe's output as text (without --log-format=json), as the user would read them.
    const args = [
      ...runtime.globalArgs().filter((a) => a !== '--log-format=json'),
      'exec',
      '--process',
      path,
    ];
    const execID = generateId();
    const text = options.cmd.join(' ');
    emit(this.ctx, `exec_create: ${text}`, container, { execID });
    const child = proc.start(runtime.path, [...args, container.id], { stdio: ['ignore', 'pipe', 'pipe'] });
    emit(this.ctx, `exec_start: ${text}`, container, { execID });
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = (b: Buffer): void => {
      if (size >= options.maxOutput) return;
      const part = b.length > options.maxOutput - size ? b.subarray(0, options.maxOutput - size) : b;
      chunks.push(part);
      size += part.length;
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The runtime's process and every one below it (the check and what it started), found first.
      const pid = child.pid ?? 0;
      if (pid <= 0) return;
      for (const p of [pid, ...descendantsOf(pid)]) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, options.timeoutMs);
    const exitCode = await new Promise<number>((resolve) => {
      child.once('error', () => resolve(-1));
      child.once('close', (code, signal) => resolve(code ?? (signal ? -1 : -1)));
    });
    clearTimeout(timer);
    emit(this.ctx, 'exec_die', container, { execID, exitCode: String(exitCode) });
    return { exitCode, output: Buffer.concat(chunks, size), timedOut };
  }

  /** The container's process with the check's command, written beside its bundle once per start. */
  private async processFile(
    id: string,
    startedAt: string,
    cmd: string[],
    config: () => Promise<string>,
  ): Promise<string> {
    const key = JSON.stringify(cmd);
    if (++this.probes % 1000 === 0) {
      for (const known of [...this.prepared.keys()])
        if (!this.ctx.store.byId(known)) this.prepared.delete(known);
    }
    const known = this.prepared.get(id);
    if (known && known.startedAt === startedAt && known.cmd === key) return known.path;
    const spec = JSON.parse(await config()) as Spec;
    const process = execProcess(
      spec.process as NonNullable<Spec['process']>,
      {
        cmd,
        env: [],
        tty: false,
        attachStdin: false,
        attachStdout: true,
        attachStderr: true,
        privileged: false,
      },
      undefined,
      this.ctx.hostCapabilities,
    );
    const path = join(bundleDir(this.ctx, id), 'health-process.json');
    await writeFileAtomic(path, JSON.stringify(process));
    this.prepared.set(id, { startedAt, cmd: key, path });
    return path;
  }
}
