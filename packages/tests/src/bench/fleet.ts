/**
 * N idle `sleep 3600` containers (`--network none`, plus the case's own run flags) under a fresh polisd or
 * under the bench's own dockerd, for benchmarks that measure what the daemon spends on many containers.
 */
import { busyboxTar } from '../harness/busybox.js';
import { TestDaemon } from '../harness/daemon.js';
import { runCommand } from '../harness/run.js';
import { pidsNamed } from './cpu.js';
import { benchDockerPid, benchDockerSocket } from './docker-socket.js';

export interface Fleet {
  ids: string[];
  /** The daemon's socket. */
  socket: string;
  /** The docker CLI's argv and environment to reach the daemon. */
  dockerArgs: string[];
  env: NodeJS.ProcessEnv;
  /** The daemon's processes to measure (polisd; dockerd and its containerd). */
  daemonPids(): number[];
}

const BENCH_IMAGE = 'polis-bench-busybox:latest';

async function startMany(
  command: string,
  base: string[],
  image: string,
  flags: string[],
  n: number,
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const args = [...base, 'run', '-d', '--network', 'none', ...flags, image, 'sleep', '3600'];
    const res = await runCommand(command, args, { env });
    if (res.code !== 0) throw new Error(`${command} run -d failed: ${res.stderr.trim()}`);
    ids.push(res.stdout.trim());
  }
  return ids;
}

/** FN with COUNT containers under a polisd of its own, removed with it afterwards. */
export async function withPolisFleet<T>(
  count: number,
  flags: string[],
  fn: (f: Fleet) => Promise<T>,
): Promise<T> {
  const daemon = await TestDaemon.start();
  try {
    await daemon.importBusybox();
    const env = daemon.env();
    const ids = await startMany('docker', [], 'busybox', flags, count, env);
    const polisd = daemon.child?.pid ?? -1;
    return await fn({ ids, socket: daemon.socket, dockerArgs: [], env, daemonPids: () => [polisd] });
  } finally {
    await daemon.cleanup();
  }
}

/** FN with COUNT containers under the bench's dockerd, or why that could not be done. */
export async function withDockerFleet<T>(
  count: number,
  flags: string[],
  fn: (f: Fleet) => Promise<T>,
): Promise<T | { skipped: string }> {
  const socket = benchDockerSocket();
  const dockerd = benchDockerPid();
  if (socket === undefined || dockerd === undefined) return { skipped: 'dockerd: the bench has no dockerd' };
  const env = { ...process.env };
  delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  const base = ['-H', `unix://${socket}`];
  const imported = await runCommand('docker', [...base, 'import', await busyboxTar(), BENCH_IMAGE], {
    env,
    timeoutMs: 120_000,
  });
  if (imported.code !== 0) return { skipped: `dockerd: cannot import busybox: ${imported.stderr.trim()}` };
  let ids: string[] = [];
  try {
    ids = await startMany('docker', base, BENCH_IMAGE, flags, count, env);
    return await fn({
      ids,
      socket,
      dockerArgs: base,
      env,
      daemonPids: () => [dockerd, ...pidsNamed(['containerd'])],
    });
  } catch (err) {
    return { skipped: `dockerd: ${(err as Error).message}` };
  } finally {
    if (ids.length > 0)
      await runCommand('docker', [...base, 'rm', '-f', ...ids], { env, timeoutMs: 300_000 });
    await runCommand('docker', [...base, 'rmi', '-f', BENCH_IMAGE], { env });
  }
}
