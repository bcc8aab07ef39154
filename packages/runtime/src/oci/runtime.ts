import { existsSync } from 'node:fs';
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

  async start(id: string): Promise<void> {
    await this.invoke('start', id, ['start', id]);
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
