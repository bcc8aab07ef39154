/**
 * The pull benchmark's cases: each has an untimed `before` (a clean start), a timed `run` returning
 * sub-measurements for "where time goes", and an untimed `after` that removes what the run made.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestDaemon } from '../harness/daemon.js';
import { benchDockerSocket } from './docker-socket.js';
import { runCommand } from '../harness/run.js';
import { cpuTimes, peakRssKiB } from './cpu.js';
import type { BenchImage } from './pull-image.js';
import type { PullKey } from './pull-report.js';

/** Named sub-measurements of one run; each name carries its unit. */
export type Details = Record<string, number>;

export interface PullCase {
  key: PullKey;
  name: string;
  before?: () => Promise<void>;
  run: () => Promise<Details>;
  after?: () => Promise<void>;
}

async function succeed(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  const res = await runCommand(command, args, { timeoutMs: 600_000, ...(env ? { env } : {}) });
  if (res.code !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${res.code}: ${res.stderr.trim()}`);
}

/** Time spent in `fn` and the CPU the bench process's children used meanwhile. */
async function timedChildren(fn: () => Promise<void>): Promise<{ ms: number; cpu: number }> {
  const before = await cpuTimes(process.pid);
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  return { ms, cpu: (await cpuTimes(process.pid)).children - before.children };
}

/** Sum of the uncompressed sizes polisd recorded for its unpacked layers, and their count. */
async function unpackedLayers(dataRoot: string): Promise<{ count: number; bytes: number }> {
  const root = join(dataRoot, 'overlay');
  const dirs = (await readdir(root)).filter((n) => /^[a-f0-9]{64}$/.test(n));
  let bytes = 0;
  for (const d of dirs) bytes += Number(await readFile(join(root, d, 'size'), 'utf8'));
  return { count: dirs.length, bytes };
}

/**
 * `POST /images/create?fromImage=…` through the SDK into a fresh polisd, read to the last progress
 * line (the image is committed with every layer unpacked). The progress stream splits the wall time;
 * /proc splits polisd's CPU into its main thread, its other threads (zlib, crypto, fs) and tar.
 */
export function polisCase(image: BenchImage): PullCase {
  let daemon: TestDaemon | undefined;
  return {
    key: 'polis',
    name: 'polis pull (SDK, fresh data root)',
    before: async () => void (daemon = await TestDaemon.start()),
    run: async () => {
      const d = daemon as TestDaemon;
      const pid = d.child?.pid ?? 0;
      const cpu0 = await cpuTimes(pid);
      const t0 = performance.now();
      let firstByte: number | undefined;
      let layersDone = 0;
      await d.client.images.pull(image.ref).collect((msg) => {
        const at = performance.now() - t0;
        if (msg.status === 'Downloading') firstByte ??= at;
        if (msg.status === 'Pull complete') layersDone = at;
      });
      const total = performance.now() - t0;
      const cpu1 = await cpuTimes(pid);
      return {
        'wall: manifest + config, to first layer byte (ms)': firstByte ?? 0,
        'wall: layers downloaded ∥ unpacked (ms)': layersDone - (firstByte ?? 0),
        'wall: commit, after the last layer (ms)': total - layersDone,
        'cpu: polisd main thread (ms)': cpu1.main - cpu0.main,
        'cpu: polisd other threads (ms)': cpu1.self - cpu1.main - (cpu0.self - cpu0.main),
        'cpu: tar children (ms)': cpu1.children - cpu0.children,
        'polisd peak RSS (MiB)': peakRssKiB(pid) / 1024,
      };
    },
    after: async () => {
      const d = daemon as TestDaemon;
      daemon = undefined;
      try {
        const got = await unpackedLayers(d.dataRoot);
        if (got.count !== image.layers.length || got.bytes !== image.tarBytes)
          throw new Error(
            `polis unpacked ${got.count} layers of ${got.bytes} bytes, expected ` +
              `${image.layers.length} of ${image.tarBytes}`,
          );
      } finally {
        await d.cleanup();
      }
    },
  };
}

/** podman's path without podman: `skopeo copy` into an OCI layout, then `umoci unpack` into a bundle. */
export function skopeoUmociCase(image: BenchImage): PullCase {
  let dir = '';
  return {
    key: 'skopeo-umoci',
    name: 'skopeo copy + umoci unpack',
    before: async () => void (dir = await mkdtemp(join(tmpdir(), 'polis-bench-skopeo-'))),
    run: async () => {
      const layout = `${join(dir, 'oci')}:big`;
      const copy = await timedChildren(() =>
        succeed('skopeo', [
          'copy',
          '--quiet',
          '--src-tls-verify=false',
          `docker://${image.ref}`,
          `oci:${layout}`,
        ]),
      );
      const unpack = await timedChildren(() =>
        succeed('umoci', ['unpack', '--image', layout, join(dir, 'bundle')]),
      );
      return {
        'wall: skopeo copy (ms)': copy.ms,
        'wall: umoci unpack (ms)': unpack.ms,
        'cpu: skopeo (ms)': copy.cpu,
        'cpu: umoci (ms)': unpack.cpu,
      };
    },
    after: () => rm(dir, { recursive: true, force: true }),
  };
}

/** GNU tar alone on the same gzip blobs, one after another: a lower bound of any unpack. */
export function tarCase(image: BenchImage): PullCase {
  let dir = '';
  return {
    key: 'tar',
    name: 'tar -xzf each layer (sequential)',
    before: async () => void (dir = await mkdtemp(join(tmpdir(), 'polis-bench-tar-'))),
    run: async () => {
      const { cpu } = await timedChildren(async () => {
        for (const layer of image.layers)
          await succeed('tar', ['--numeric-owner', '-xzf', layer.blob, '-C', dir]);
      });
      return { 'cpu: tar + gzip (ms)': cpu };
    },
    after: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The registry's side alone: every blob fetched, 3 at a time as Polis does, and thrown away. */
export function fetchCase(image: BenchImage, registryHost: string): PullCase {
  const repo = image.ref.slice(registryHost.length + 1).split(':')[0] as string;
  const fetchOne = async (digest: string): Promise<void> => {
    const res = await fetch(`http://${registryHost}/v2/${repo}/blobs/${digest}`);
    if (!res.ok || !res.body) throw new Error(`GET blob ${digest}: HTTP ${res.status}`);
    for await (const chunk of res.body) void chunk;
  };
  return {
    key: 'fetch',
    name: 'registry blobs fetched, 3 at a time (no disk)',
    run: async () => {
      const queue = image.layers.map((l) => l.digest);
      const worker = async (): Promise<void> => {
        for (let d = queue.shift(); d !== undefined; d = queue.shift()) await fetchOne(d);
      };
      await Promise.all([worker(), worker(), worker()]);
      return {};
    },
  };
}

/** `podman pull` or `docker pull` of a real engine, when one is installed and answers; else why not. */
export async function engineCase(
  engine: 'podman' | 'docker',
  image: BenchImage,
): Promise<PullCase | { skipped: string }> {
  const env = { ...process.env };
  delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  const socket = benchDockerSocket();
  if (engine === 'docker' && (socket === undefined || !existsSync(socket)))
    return { skipped: 'docker pull: the bench has no dockerd' };
  const base = engine === 'docker' ? ['-H', `unix://${socket}`] : [];
  const probe = await runCommand(engine, [...base, 'version'], { env, timeoutMs: 10_000 }).catch(
    () => undefined,
  );
  if (probe === undefined) return { skipped: `${engine} pull: not installed` };
  if (probe.code !== 0) return { skipped: `${engine} pull: the engine does not answer` };
  const pullArgs = [...base, 'pull', ...(engine === 'podman' ? ['--tls-verify=false'] : []), image.ref];
  const remove = async (): Promise<void> =>
    void (await runCommand(engine, [...base, 'rmi', '--force', image.ref], { env }));
  return {
    key: engine,
    name: `${engine} pull`,
    before: remove,
    run: async () => {
      await succeed(engine, pullArgs, env);
      return {};
    },
    after: remove,
  };
}
