import { constants, existsSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { proc, type RuntimeName } from '@polis/core';
import { runtimeError } from './errors.js';

export interface RuntimeState {
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  pid: number;
}

/**
 * A thin driver for an OCI runtime (crun or runc): one method per runtime verb, argv built from typed
 * options. `create` is not here: conmon runs it (see conmon.ts) so that it supervises the container.
 * Each daemon keeps the runtime's state under its own exec root, so daemons never see each other's.
 */
export class OciRuntime {
  constructor(
    readonly name: RuntimeName,
    readonly path: string,
    readonly stateRoot: string,
    /** The systemd cgroup driver: cgroupsPath is `slice:prefix:name` and the runtime asks systemd for a scope. */
    readonly systemdCgroup = false,
  ) {}

  /** Global flags, placed before the verb (conmon passes them through `--runtime-arg`). */
  globalArgs(): string[] {
    return [
      '--root',
      this.stateRoot,
      '--log-format=json',
      ...(this.systemdCgroup ? ['--systemd-cgroup'] : []),
    ];
  }

  /** Whether the runtime keeps state for this id (crun and runc keep `<root>/<id>`). */
  hasState(id: string): boolean {
    return existsSync(join(this.stateRoot, id));
  }

  /**
   * `<runtime> start`. For crun, what `crun start` does is done here instead, which saves starting
   * crun (~18 ms on this machine): a container crun created waits in a read of `<root>/<id>/exec.fifo`,
   * and `crun start` checks that the container lives, opens the FIFO for writing, unlinks it (crun then
   * reports the container as running) and writes one byte (crun's src/libcrun/status.c,
   * `libcrun_status_write_exec_fifo`, the same from 1.x to today). Its other duties do not apply:
   * Polis gives crun no notify socket and no poststart hooks. Where the FIFO is absent or has no
   * reader (the container's init died), `crun start` runs after all and says what is wrong.
   * `POLIS_FIFO_START=0` in polisd's environment always runs `crun start`.
   */
  async start(id: string): Promise<void> {
    if (this.name === 'crun' && process.env.POLIS_FIFO_START !== '0' && (await this.releaseExecFifo(id)))
      return;
    await this.invoke('start', id, ['start', id]);
  }

  /** crun's start, done in place: true when the created container was let go. */
  private async releaseExecFifo(id: string): Promise<boolean> {
    const fifo = join(this.stateRoot, id, 'exec.fifo');
    let handle;
    try {
      // Non-blocking: without a reader this fails (ENXIO) instead of waiting for one.
      handle = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch {
      return false;
    }
    try {
      await unlink(fifo);
      await handle.write(Buffer.alloc(1));
      return true;
    } catch (err) {
      // The init died between the open and the write (EPIPE): the start failed, in the runtime's words.
      throw runtimeError('start', id, err);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async kill(id: string, signal: string | number, all = false): Promise<void> {
    const sig = typeof signal === 'number' ? String(signal) : signal.replace(/^SIG/, '');
    await this.invoke('kill', id, ['kill', ...(all ? ['--all'] : []), id, sig]);
  }

  async pause(id: string): Promise<void> {
    await this.invoke('pause', id, ['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.invoke('resume', id, ['resume', id]);
  }

  async delete(id: string, force = false): Promise<void> {
    await this.invoke('delete', id, ['delete', ...(force ? ['--force'] : []), id]);
  }

  /** The runtime's view of a container, or undefined when the runtime does not know it. */
  async state(id: string): Promise<RuntimeState | undefined> {
    try {
      const res = await proc.run(this.path, [...this.globalArgs(), 'state', id]);
      const parsed = JSON.parse(res.stdout) as { status: RuntimeState['status']; pid?: number };
      return { status: parsed.status, pid: parsed.pid ?? 0 };
    } catch {
      return undefined;
    }
  }

  private async invoke(verb: string, id: string, args: string[]): Promise<void> {
    try {
      await proc.run(this.path, [...this.globalArgs(), ...args], { timeoutMs: 30_000 });
    } catch (err) {
      throw runtimeError(verb, id, err);
    }
  }
}
