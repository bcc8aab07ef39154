import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, link, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { PolisClient } from '@polis/sdk';
import { POLIS_BIN, POLISD_BIN } from './paths.js';
import { runCommand, type CommandResult } from './run.js';
import { rawRequest } from './http.js';
import { busyboxTar } from './busybox.js';
import { removeHostNetworkObjects, removeNetworksVia } from './network.js';
import { detachLoopsUnder } from './loops.js';

export interface DaemonOptions {
  runtime?: 'crun' | 'runc';
  extraArgs?: string[];
  /** Puts the data root on a tmpfs of this size (`20m`), for full-disk tests; cleanup unmounts it. */
  dataRootTmpfs?: string;
  /** `--userns-remap` value; the temp root is then made 0711 so the remapped root can pass (polisd checks). */
  usernsRemap?: string;
  /** Starts polisd with `-H fd://` on a socket bound beforehand and passed as fd 3, as systemd does. */
  socketActivated?: boolean;
}

/**
 * A polisd of its own for one test: temp data root, exec root and socket; `cleanup` removes every
 * container it made (killing conmons), unmounts what is left and deletes the folders.
 */
export class TestDaemon {
  readonly root: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly socket: string;
  readonly host: string;
  child: ChildProcess | undefined;
  log = '';

  private constructor(
    root: string,
    private readonly options: DaemonOptions,
  ) {
    this.root = root;
    this.dataRoot = join(root, 'data');
    this.execRoot = join(root, 'run');
    this.socket = join(root, 'run', 'polis.sock');
    this.host = `unix://${this.socket}`;
  }

  static async start(options: DaemonOptions = {}): Promise<TestDaemon> {
    const root = await mkdtemp(join(tmpdir(), 'polis-t-'));
    const d = new TestDaemon(root, options);
    try {
      if (options.usernsRemap !== undefined) await chmod(root, 0o711);
      if (options.dataRootTmpfs) {
        await mkdir(d.dataRoot);
        const mounted = await runCommand('mount', [
          '-t',
          'tmpfs',
          '-o',
          `size=${options.dataRootTmpfs}`,
          'tmpfs',
          d.dataRoot,
        ]);
        if (mounted.code !== 0) throw new Error(`mount tmpfs: ${mounted.stderr}`);
      }
      await d.startProcess();
    } catch (err) {
      await d.stopProcess('SIGKILL');
      await killLeftovers(d.dataRoot, d.execRoot);
      for (const target of mountsUnder(root).reverse()) await runCommand('umount', ['-l', target]);
      await rm(root, { recursive: true, force: true });
      throw err;
    }
    return d;
  }

  get client(): PolisClient {
    return new PolisClient({ host: this.host });
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      POLIS_HOST: this.host,
      DOCKER_HOST: this.host,
      ...extra,
    };
    delete env.DOCKER_CONTEXT;
    return env;
  }

  async startProcess(): Promise<void> {
    const activated = this.options.socketActivated === true;
    const args = [
      POLISD_BIN,
      '--data-root',
      this.dataRoot,
      '--exec-root',
      this.execRoot,
      '-H',
      activated ? 'fd://' : this.host,
      '--runtime',
      this.options.runtime ?? 'crun',
      ...(this.options.usernsRemap !== undefined ? ['--userns-remap', this.options.usernsRemap] : []),
      ...(this.options.extraArgs ?? []),
    ];
    let child;
    if (activated) {
      // As systemd's polisd.socket: the socket is bound and listening before polisd starts, and passed
      // as fd 3 with LISTEN_FDS/LISTEN_PID (`exec` keeps the shell's pid, so $$ is polisd's).
      await mkdir(dirname(this.socket), { recursive: true });
      // Bound under a second name and hard-linked to the real one: closing our copy unlinks the name
      // it was bound to (libuv does), and the socket must stay reachable under this.socket.
      const bindPath = `${this.socket}.bind`;
      const bound = createServer();
      await new Promise<void>((resolve) => bound.listen(bindPath, resolve));
      await link(bindPath, this.socket);
      const fd = (bound as unknown as { _handle: { fd: number } })._handle.fd;
      const script = 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"';
      child = spawn('sh', ['-c', script, 'sh', process.execPath, ...args], {
        stdio: ['ignore', 'pipe', 'pipe', fd],
      });
      // Our copy goes; polisd's stays.
      await new Promise<void>((resolve) => bound.close(() => resolve()));
    } else child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (b: Buffer) => (this.log += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (this.log += b.toString()));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`polisd exited ${child.exitCode}:\n${this.log}`);
      if (existsSync(this.socket)) {
        try {
          await this.client.ping();
          return;
        } catch {
          // not yet listening
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`polisd did not come up:\n${this.log}`);
  }

  /** SIGTERM (clean) or SIGKILL (crash) of polisd; containers stay with conmon. */
  async stopProcess(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }

  polis(
    args: string[],
    options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    return runCommand(POLIS_BIN, [...args], { ...options, env: this.env(options.env) });
  }

  /** `sh -c script` with this daemon's env plus POLIS_BIN (for pipelines through the CLI). */
  shell(
    script: string,
    options: { input?: string | Buffer; timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    const env = this.env({ NODE: process.execPath, POLIS_BIN });
    return runCommand('sh', ['-c', script], { ...options, env });
  }

  docker(
    args: string[],
    options: { input?: string | Buffer; timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    return runCommand('docker', args, { ...options, env: this.env() });
  }

  /** Imports the busybox image as `busybox:latest` (or the given name). */
  /**
   * Resolves once the daemon has let go of what removed `--rm` containers held (it answers them
   * removed first): `cleanupsPending` of `GET /polis/v1/debug/trace` is 0.
   */
  async cleanupsSettled(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const res = await rawRequest(this.socket, 'GET', '/polis/v1/debug/trace?limit=0');
      const pending = (res.json as { cleanupsPending?: number } | undefined)?.cleanupsPending;
      if (res.status !== 200 || pending === undefined)
        throw new Error(`debug/trace: ${res.status} ${res.text}`);
      if (pending === 0) return;
      if (Date.now() > until) throw new Error(`${pending} cleanups still pending after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async importBusybox(name = 'busybox:latest'): Promise<string> {
    const res = await this.polis(['import', await busyboxTar(), name]);
    if (res.code !== 0) throw new Error(`import failed: ${res.stderr}`);
    return res.stdout.trim();
  }

  async cleanup(): Promise<void> {
    try {
      if (!this.child) await this.startProcess().catch(() => undefined);
      if (this.child) {
        const list = await this.client.containers.list({ all: true }).catch(() => []);
        for (const c of list)
          await this.client.containers.remove(c.Id, { force: true }).catch(() => undefined);
        await removeNetworksVia(this.socket);
      }
    } finally {
      await this.stopProcess('SIGTERM');
      await killLeftovers(this.dataRoot, this.execRoot);
      await removeHostNetworkObjects(this.dataRoot);
      await rm(this.root, { recursive: true, force: true });
    }
  }
}

/** Kills conmons of this daemon and unmounts anything under its roots (for crashed tests). */
async function killLeftovers(dataRoot: string, execRoot: string): Promise<void> {
  const containers = join(dataRoot, 'containers');
  const ids = existsSync(containers) ? await readdir(containers) : [];
  for (const id of ids) {
    // conmon.pid sits in the bundle on the exec root (in the data dir before that moved).
    const pidFile = [join(execRoot, 'containers', id, 'conmon.pid'), join(containers, id, 'conmon.pid')].find(
      (f) => existsSync(f),
    );
    if (pidFile) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      for (const runtime of ['crun', 'runc']) {
        await runCommand(runtime, ['--root', join(execRoot, 'runtime', runtime), 'delete', '--force', id]);
      }
      try {
        if (pid > 0) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const target of mountsUnder(dataRoot).concat(mountsUnder(execRoot)).reverse()) {
    await runCommand('umount', ['-l', target]);
  }
  // A container's named netns (network/src/endpoint/wire.ts) outlives its processes until polisd deletes it.
  for (const id of ids) {
    const netns = `/run/netns/polis-${id}`;
    if (existsSync(netns)) await runCommand('ip', ['netns', 'del', `polis-${id}`]);
  }
  await detachLoopsUnder(dataRoot);
}

export function mountsUnder(prefix: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => p !== undefined && (p === prefix || p.startsWith(prefix + '/')));
}
