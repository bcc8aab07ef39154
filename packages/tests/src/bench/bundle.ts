/** An OCI bundle of busybox for running `crun run` / `runc run` directly, without any engine. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSpec, emptySpec, type Spec } from '@polis/core';
import { securitySteps } from '@polis/security';
import { runCommand } from '../harness/run.js';

export type RawRuntime = 'crun' | 'runc';

/**
 * Container ids are unique across bundles: without a cgroupsPath the runtime names the cgroup after the
 * id, so a foreground run under a reused id would kill a detached container of another bundle.
 */
let seq = 0;
const nextId = (): string => `polis-bench-${process.pid}-${++seq}`;

export class RawBundle {
  private constructor(
    /** Holds the bundle (config.json, rootfs) and each runtime's state root. */
    readonly dir: string,
  ) {}

  /**
   * Extracts the busybox rootfs tarball and writes `crun spec`'s config with `args: ["true"]`; with
   * `secure`, Polis's default security steps (seccomp, capabilities, masked paths, …) are applied too,
   * so the runtime's own cost of that security is in the reference. `args` replaces `true`.
   */
  static async prepare(
    rootfsTar: string,
    options: { secure?: boolean; args?: string[] } = {},
  ): Promise<RawBundle> {
    const dir = await mkdtemp(join(tmpdir(), 'polis-bench-bundle-'));
    const b = new RawBundle(dir);
    try {
      await mkdir(join(dir, 'rootfs'));
      await must('tar', ['-xf', rootfsTar, '-C', join(dir, 'rootfs')]);
      await must('crun', ['spec', '--bundle', dir]);
      const configPath = join(dir, 'config.json');
      let config = JSON.parse(await readFile(configPath, 'utf8')) as Spec & {
        process: { terminal: boolean; args: string[] };
      };
      config.process.terminal = false;
      config.process.args = options.args ?? ['true'];
      if (options.secure) {
        const spec = emptySpec('busybox');
        config = composeSpec(
          config,
          ...securitySteps({
            security: spec.security,
            resources: spec.resources,
            namespaces: { network: 'none' },
            hostRlimits: { RLIMIT_NOFILE: 1024 },
          }),
        ) as typeof config;
      }
      await writeFile(configPath, JSON.stringify(config, null, 2));
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    return b;
  }

  /**
   * A bundle with the config.json Polis itself wrote for a container (same mounts, security and
   * cgroups), pointed at this bundle's rootfs and running `true`: the runtime's own share of a Polis
   * run, without Polis.
   */
  static async fromPolisConfig(rootfsTar: string, polisConfig: string): Promise<RawBundle> {
    const b = await RawBundle.prepare(rootfsTar);
    const spec = JSON.parse(await readFile(polisConfig, 'utf8')) as Spec & {
      process: { args: string[] };
      root: { path: string };
    };
    spec.root.path = join(b.dir, 'rootfs');
    spec.process.args = ['true'];
    for (const m of spec.mounts ?? []) {
      if (m.type === 'bind' && m.destination.startsWith('/etc/')) {
        const copy = join(b.dir, m.destination.slice('/etc/'.length));
        await writeFile(copy, await readFile(m.source as string));
        m.source = copy;
      }
    }
    if (spec.linux) delete spec.linux.cgroupsPath;
    // A container on a Polis network joins the named netns its wiring made (gone with the container):
    // the raw run gets a fresh one, as crun makes for `--network none`.
    for (const ns of spec.linux?.namespaces ?? []) if (ns.type === 'network') delete ns.path;
    await writeFile(join(b.dir, 'config.json'), JSON.stringify(spec, null, 2));
    return b;
  }

  stateRoot(runtime: RawRuntime): string {
    return join(this.dir, `state-${runtime}`);
  }

  /**
   * The argv of one foreground run (the runtime waits for the process and deletes the container),
   * under a fresh container id.
   */
  runArgs(runtime: RawRuntime): string[] {
    const id = nextId();
    return ['--root', this.stateRoot(runtime), 'run', '--bundle', this.dir, id];
  }

  /**
   * Starts the bundle's process in the background (`run -d`) under a fresh id and returns the id. The
   * shell points the container's stdio at /dev/null and a file, since it inherits crun's and would keep
   * the capture pipes open.
   */
  async runDetached(runtime: RawRuntime): Promise<string> {
    const id = nextId();
    const errFile = join(this.dir, `${id}.stderr`);
    const script = 'exec "$0" --root "$1" run -d --bundle "$2" "$3" </dev/null >/dev/null 2>"$4"';
    const res = await runCommand('sh', [
      '-c',
      script,
      runtime,
      this.stateRoot(runtime),
      this.dir,
      id,
      errFile,
    ]);
    if (res.code !== 0) {
      const stderr = await readFile(errFile, 'utf8').catch(() => '');
      throw new Error(`${runtime} run -d ${id} failed (${res.code}): ${stderr.trim()}`);
    }
    return id;
  }

  /** argv of `exec ID true` into a container started with `runDetached`. */
  execArgs(runtime: RawRuntime, id: string): string[] {
    return ['--root', this.stateRoot(runtime), 'exec', id, 'true'];
  }

  /** Deletes containers a failed or interrupted run left in either state root, then the folder. */
  async remove(): Promise<void> {
    for (const runtime of ['crun', 'runc'] as const) {
      const root = this.stateRoot(runtime);
      const listed = await runCommand(runtime, ['--root', root, 'list', '-q']);
      const ids = listed.code === 0 ? listed.stdout.split('\n').filter((l) => l.trim() !== '') : [];
      for (const id of ids) await runCommand(runtime, ['--root', root, 'delete', '--force', id.trim()]);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function must(command: string, args: string[]): Promise<void> {
  const res = await runCommand(command, args);
  if (res.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${res.code}): ${res.stderr}`);
}
