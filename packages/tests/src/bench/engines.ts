/** Other engines to compare with, used only when installed and working: podman, and docker with a real engine. */
import { existsSync } from 'node:fs';
import { runCommand, type CommandResult } from '../harness/run.js';
import { benchDockerSocket } from './docker-socket.js';

export interface ExternalEngine {
  name: string;
  command: string;
  /** argv of one `run --rm IMAGE true`. */
  runArgs: string[];
  /** Leading argv of every command (docker's `-H`). */
  base: string[];
  image: string;
  runFlags: string[];
  env: NodeJS.ProcessEnv;
  /** Removes the image the benchmark imported, if it had to. */
  cleanup(): Promise<void>;
}

/** The engine, or why it is left out. */
export type Probe = { engine: ExternalEngine } | { skipped: string };

const BENCH_IMAGE = 'polis-bench-busybox:latest';

async function tryRun(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<CommandResult | undefined> {
  try {
    return await runCommand(command, args, { env, timeoutMs });
  } catch {
    return undefined; // not installed (spawn ENOENT)
  }
}

/**
 * Uses a local `busybox` image when the engine has one, else imports the rootfs tarball under a name of
 * the benchmark's own (no registry is reachable here) and removes it afterwards.
 */
async function probe(
  name: string,
  command: string,
  base: string[],
  runFlags: string[],
  env: NodeJS.ProcessEnv,
  rootfsTar: string,
): Promise<Probe> {
  const hasBusybox = await tryRun(command, [...base, 'image', 'inspect', 'busybox'], env);
  if (hasBusybox === undefined) return { skipped: `${command} not installed` };
  let image = 'busybox';
  let imported = false;
  if (hasBusybox.code !== 0) {
    const imp = await tryRun(command, [...base, 'import', rootfsTar, BENCH_IMAGE], env, 120_000);
    if (imp?.code !== 0) return { skipped: `${name}: cannot import busybox: ${imp?.stderr.trim() ?? ''}` };
    image = BENCH_IMAGE;
    imported = true;
  }
  const runArgs = [...base, 'run', '--rm', ...runFlags, image, 'true'];
  const cleanup = async (): Promise<void> => {
    if (imported) await tryRun(command, [...base, 'rmi', '--force', BENCH_IMAGE], env);
  };
  const trial = await tryRun(command, runArgs, env, 60_000);
  if (trial?.code !== 0) {
    await cleanup();
    return { skipped: `${name}: a trial run failed: ${trial?.stderr.trim() ?? ''}` };
  }
  return { engine: { name, command, runArgs, base, image, runFlags, env, cleanup } };
}

/** A running `sleep 3600` container of the engine to exec into. */
export interface ExecTarget {
  /** argv of one `exec ID true`. */
  execArgs: string[];
  remove(): Promise<void>;
}

export async function startExecTarget(engine: ExternalEngine): Promise<ExecTarget | { skipped: string }> {
  const { command, base, env } = engine;
  const started = await tryRun(
    command,
    [...base, 'run', '-d', ...engine.runFlags, engine.image, 'sleep', '3600'],
    env,
  );
  if (started?.code !== 0)
    return {
      skipped: `${engine.name}: cannot start a container to exec into: ${started?.stderr.trim() ?? ''}`,
    };
  const id = started.stdout.trim();
  const remove = async (): Promise<void> => void (await tryRun(command, [...base, 'rm', '--force', id], env));
  const execArgs = [...base, 'exec', id, 'true'];
  const trial = await tryRun(command, execArgs, env);
  if (trial?.code !== 0) {
    await remove();
    return { skipped: `${engine.name}: a trial exec failed: ${trial?.stderr.trim() ?? ''}` };
  }
  return { execArgs, remove };
}

export function probePodman(rootfsTar: string): Promise<Probe> {
  // podman's default rlimits exceed this machine's hard limits (crun: setrlimit RLIMIT_NOFILE: EPERM).
  const flags = ['--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
  return probe('podman run --rm --network none', 'podman', [], flags, process.env, rootfsTar);
}

/** docker is the bench's own dockerd (peers.ts), never a Polis behind DOCKER_HOST. */
export async function probeDocker(rootfsTar: string): Promise<Probe> {
  const env = { ...process.env };
  delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  const socket = benchDockerSocket();
  if (socket === undefined || !existsSync(socket)) return { skipped: 'docker: the bench has no dockerd' };
  const base = ['-H', `unix://${socket}`];
  const version = await tryRun(
    'docker',
    [...base, 'version', '--format', '{{.Server.Version}}'],
    env,
    10_000,
  );
  if (version === undefined) return { skipped: 'docker not installed' };
  if (version.code !== 0) return { skipped: `docker: the engine does not answer: ${version.stderr.trim()}` };
  return probe('docker run --rm --network none', 'docker', base, ['--network', 'none'], env, rootfsTar);
}
