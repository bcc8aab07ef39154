import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { PolisError, generateId, proc, writeFileAtomic, type Spec } from '@polis/core';
import { bundleDir, emit, runtimeFor, type RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';
import { requireRunning } from './exec.js';
import type { HelperReply, HelperRequest } from './probe-helper.js';
import { execProcess } from './process-spec.js';

const HELPER = join(import.meta.dirname, 'probe-helper.js');

/**
 * The client of `probe-helper.js`, started at the first probe and again if it ever exits (probes in
 * flight then fail). It holds no work of its own: polisd's exit closes its stdin and it exits too.
 */
class ProbeHelper {
  private child: proc.ChildProcess | undefined;
  private readonly pending = new Map<
    number,
    { resolve: (r: HelperReply) => void; reject: (e: Error) => void }
  >();
  private next = 0;

  run(request: Omit<HelperRequest, 'n'>): Promise<HelperReply> {
    const child = this.ensure();
    const n = ++this.next;
    return new Promise<HelperReply>((resolve, reject) => {
      this.pending.set(n, { resolve, reject });
      child.stdin?.write(`${JSON.stringify({ ...request, n })}\n`);
    });
  }

  private ensure(): proc.ChildProcess {
    if (this.child) return this.child;
    const child = proc.start(process.execPath, [HELPER], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child = child;
    // The helper never keeps polisd running.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    child.stdin?.on('error', () => undefined);
    createInterface({ input: child.stdout as Readable }).on('line', (line) => {
      let r: HelperReply;
      try {
        r = JSON.parse(line) as HelperReply;
      } catch {
        return;
      }
      this.pending.get(r.n)?.resolve(r);
      this.pending.delete(r.n);
    });
    const gone = (): void => {
      if (this.child !== child) return;
      this.child = undefined;
      for (const p of this.pending.values())
        p.reject(new PolisError('runtime.failed', 'the probe helper exited'));
      this.pending.clear();
    };
    child.once('exit', gone);
    child.once('error', gone);
    return child;
  }
}

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
 * pipes to a small helper process that starts it, see probe-helper.ts), not through conmon as an
 * interactive exec does: no supervisor, attach socket, exit dir or per-probe files, and the process spec
 * is written once per container start rather than per probe. Nothing of a probe outlives it, so nothing needs conmon's supervision. Docker's events stay:
 * exec_create, exec_start and exec_die, as dockerd emits them for its checks.
 */
export class Prober {
  private readonly prepared = new Map<string, Prepared>();
  private readonly helper = new ProbeHelper();
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
    emit(this.ctx, `exec_start: ${text}`, container, { execID });
    const r = await this.helper
      .run({
        command: runtime.path,
        args: [...args, container.id],
        timeoutMs: options.timeoutMs,
        maxOutput: options.maxOutput,
      })
      .catch((err: unknown) => ({
        exitCode: -1,
        timedOut: false,
        output: Buffer.from(`Health check failed to run: ${(err as Error).message}`).toString('base64'),
      }));
    emit(this.ctx, 'exec_die', container, { execID, exitCode: String(r.exitCode) });
    return { exitCode: r.exitCode, output: Buffer.from(r.output, 'base64'), timedOut: r.timedOut };
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
