/**
 * The CRI part of `npm run bench`: RunPodSandbox + CreateContainer + StartContainer latency through
 * polisd's CRI socket, against Debian's containerd (its CRI plugin, started by the bench with its own
 * root, state, socket and a CNI bridge config of its own) driven by the same gRPC client, and against
 * raw crun starting two detached containers from a bundle (the runtime's floor for a sandbox and a
 * container, without networking). BENCH_CRI_RUNS (default 10; 0 skips) rounds, interleaved.
 * A peer that cannot run is printed as "missing", with the reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { busyboxTar } from '../harness/busybox.js';
import { CriClient, podConfig } from '../harness/cri.js';
import { TestDaemon } from '../harness/daemon.js';
import { runCommand } from '../harness/run.js';
import { RawBundle } from './bundle.js';
import { envInt, layout, writeReport } from './common.js';
import { summarize } from './stats.js';
import { which } from '@polis/core';

const SANDBOX_IMAGE = 'localhost/polis-cri-sandbox:catatonit';
const BUSYBOX = 'docker.io/library/busybox:latest';
const CNI_BRIDGE = 'pbcribench0';
const PHASES = ['RunPodSandbox', 'CreateContainer', 'StartContainer'];

interface Engine {
  name: string;
  /** One pod with one container, timed; returns the pod id to remove afterwards. */
  once(round: number): Promise<string>;
  cleanupPod(id: string): Promise<void>;
  stop(): Promise<void>;
}

async function podWithContainer(
  cri: CriClient,
  round: number,
  image: string,
): Promise<{ ms: number; phases: number[]; pod: string }> {
  const config = podConfig(`bench-${round}`);
  const t0 = performance.now();
  const { podSandboxId } = await cri.call('RunPodSandbox', { config });
  const t1 = performance.now();
  const { containerId } = await cri.call('CreateContainer', {
    podSandboxId,
    config: { metadata: { name: 'c' }, image: { image }, command: ['sleep', '1000'] },
    sandboxConfig: config,
  });
  const t2 = performance.now();
  await cri.call('StartContainer', { containerId });
  const t3 = performance.now();
  return { ms: t3 - t0, phases: [t1 - t0, t2 - t1, t3 - t2], pod: podSandboxId as string };
}

async function removePod(cri: CriClient, id: string): Promise<void> {
  await cri.call('StopPodSandbox', { podSandboxId: id }).catch(() => undefined);
  await cri.call('RemovePodSandbox', { podSandboxId: id }).catch(() => undefined);
}

/** Saves Polis's busybox and sandbox images as docker archives, for containerd to import. */
async function saveImages(d: TestDaemon, dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const [ref, file] of [
    ['busybox:latest', 'busybox.tar'],
    [SANDBOX_IMAGE, 'sandbox.tar'],
  ] as const) {
    const path = join(dir, file);
    const res = await d.polis(['save', '-o', path, ref]);
    if (res.code !== 0) throw new Error(`polis save ${ref}: ${res.stderr.trim()}`);
    files.push(path);
  }
  return files;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** containerd with its CRI plugin, everything under DIR; throws with the reason when it cannot run. */
async function startContainerd(
  dir: string,
  images: string[],
): Promise<{ cri: CriClient; stop: () => Promise<void> }> {
  if (!existsSync('/usr/bin/containerd'))
    throw new Error('containerd is not installed (Debian package containerd)');
  if (!existsSync('/usr/lib/cni/bridge'))
    throw new Error('CNI plugins missing (Debian package containernetworking-plugins)');
  const socket = join(dir, 'containerd.sock');
  await mkdir(join(dir, 'net.d'), { recursive: true });
  await writeFile(
    join(dir, 'net.d', '10-bench.conflist'),
    JSON.stringify({
      cniVersion: '0.4.0',
      name: 'polis-cri-bench',
      plugins: [
        {
          type: 'bridge',
          bridge: CNI_BRIDGE,
          isGateway: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: '10.213.77.0/24' }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: join(dir, 'ipam'),
          },
        },
        { type: 'loopback' },
      ],
    }),
  );
  const config = `version = 2
root = "${join(dir, 'root')}"
state = "${join(dir, 'state')}"
[grpc]
  address = "${socket}"
[ttrpc]
  address = "${socket}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${SANDBOX_IMAGE}"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # This host may not lower oom_score_adj (the sandbox's -998); keep it no lower than containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${join(dir, 'net.d')}"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "crun"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.crun]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.crun.options]
        BinaryName = "${which('crun') ?? 'crun'}"
        Root = "${join(dir, 'runtime-root')}"
`;
  await writeFile(join(dir, 'config.toml'), config);
  const log: Buffer[] = [];
  const child = spawn('/usr/bin/containerd', ['--config', join(dir, 'config.toml')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (b: Buffer) => log.push(b));
  child.stderr?.on('data', (b: Buffer) => log.push(b));
  const cri = new CriClient(socket);
  const stop = async (): Promise<void> => {
    cri.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited(child);
      clearTimeout(timer);
    }
    // The shims of removed pods are gone; unmount anything left under the root before removing it.
    const mounts = await runCommand('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/self/mountinfo | sort -r`]);
    for (const m of mounts.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)) {
      await runCommand('umount', ['-l', m]);
    }
    await runCommand('ip', ['link', 'del', CNI_BRIDGE]);
    // containerd 1.6's shims put their sockets under /run/containerd/s whatever the state dir; removed
    // when empty (another containerd's stay).
    for (const d of [
      '/run/containerd/s',
      '/run/containerd/runc/k8s.io',
      '/run/containerd/runc',
      '/run/containerd',
    ]) {
      await runCommand('rmdir', [d]);
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `containerd exited: ${Buffer.concat(log).toString().trim().split('\n').slice(-2).join(' | ')}`,
      );
    }
    if (existsSync(socket)) {
      const status = await cri.call('Status', {}, 2000).catch(() => undefined);
      if (status) break;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('containerd did not answer within 30 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    for (const file of images) {
      const res = await runCommand('ctr', ['-a', socket, '-n', 'k8s.io', 'images', 'import', file]);
      if (res.code !== 0) throw new Error(`ctr images import: ${res.stderr.trim()}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { cri, stop };
}

export async function criBench(): Promise<void> {
  const runs = envInt('BENCH_CRI_RUNS', 10, 0);
  if (runs === 0) {
    console.log('\nCRI bench skipped (BENCH_CRI_RUNS=0)');
    return;
  }
  console.log(`\nCRI: RunPodSandbox + CreateContainer + StartContainer, ${runs} rounds`);
  const d = await TestDaemon.start();
  const dir = await mkdtemp(join(tmpdir(), 'polis-bench-cri-'));
  const notes: string[] = [];
  const engines: Engine[] = [];
  const timings = new Map<string, number[]>();
  const record = (name: string, ms: number): void => {
    timings.set(name, [...(timings.get(name) ?? []), ms]);
  };
  let bundle: RawBundle | undefined;
  try {
    await d.importBusybox();
    const polis = new CriClient(join(d.execRoot, 'cri.sock'));
    // The first pod makes the sandbox image; it is not measured.
    await removePod(polis, (await podWithContainer(polis, -1, 'busybox:latest')).pod);
    engines.push({
      name: 'polis (CRI)',
      once: async (i) => {
        const r = await podWithContainer(polis, i, 'busybox:latest');
        record('polis (CRI)', r.ms);
        r.phases.forEach((ms, k) => record(`polis ${PHASES[k]}`, ms));
        return r.pod;
      },
      cleanupPod: (id) => removePod(polis, id),
      stop: async () => polis.close(),
    });
    try {
      const images = await saveImages(d, dir);
      const ctd = await startContainerd(join(dir, 'containerd'), images);
      engines.push({
        name: 'containerd 1.6 (CRI)',
        once: async (i) => {
          const r = await podWithContainer(ctd.cri, i, BUSYBOX);
          record('containerd 1.6 (CRI)', r.ms);
          r.phases.forEach((ms, k) => record(`containerd ${PHASES[k]}`, ms));
          return r.pod;
        },
        cleanupPod: (id) => removePod(ctd.cri, id),
        stop: ctd.stop,
      });
    } catch (err) {
      notes.push(`containerd: ${(err as Error).message}`);
    }
    try {
      bundle = await RawBundle.prepare(await busyboxTar(), { secure: true, args: ['sleep', '1000'] });
      const raw = bundle;
      engines.push({
        name: 'crun run -d ×2 (raw bundle)',
        once: async () => {
          const t0 = performance.now();
          const a = await raw.runDetached('crun');
          const b = await raw.runDetached('crun');
          record('crun run -d ×2 (raw bundle)', performance.now() - t0);
          return `${a} ${b}`;
        },
        cleanupPod: async (ids) => {
          for (const id of ids.split(' ')) {
            await runCommand('crun', ['--root', raw.stateRoot('crun'), 'delete', '--force', id]);
          }
        },
        stop: async () => undefined,
      });
    } catch (err) {
      notes.push(`raw crun: ${(err as Error).message}`);
    }
    const failed = new Set<string>();
    for (let round = 0; round < runs; round++) {
      for (const e of engines) {
        if (failed.has(e.name)) continue;
        try {
          const pod = await e.once(round);
          await e.cleanupPod(pod);
        } catch (err) {
          // A peer that fails is reported as missing with its reason; Polis failing fails the bench.
          if (e.name === 'polis (CRI)') throw err;
          failed.add(e.name);
          const who = e.name.split(' ')[0]!;
          for (const k of [...timings.keys()]) if (k.startsWith(who)) timings.delete(k);
          notes.push(`${e.name}: ${(err as Error).message}`);
        }
      }
    }
    const polisMedian = summarize(timings.get('polis (CRI)') ?? []).median;
    const rows = [['engine', 'median ms', 'p90 ms', 'polis / engine']];
    for (const name of ['polis (CRI)', 'containerd 1.6 (CRI)', 'crun run -d ×2 (raw bundle)']) {
      const samples = timings.get(name);
      if (!samples?.length) {
        rows.push([name, 'missing', '', '']);
        continue;
      }
      const s = summarize(samples);
      rows.push([name, s.median.toFixed(1), s.p90.toFixed(1), (polisMedian / s.median).toFixed(2)]);
    }
    console.log(layout(rows));
    const phaseRows = [['median ms', ...PHASES]];
    for (const who of ['polis', 'containerd']) {
      const cols = PHASES.map((p) => timings.get(`${who} ${p}`));
      if (cols.every((c) => c?.length))
        phaseRows.push([who, ...cols.map((c) => summarize(c!).median.toFixed(1))]);
    }
    console.log(layout(phaseRows));
    for (const n of notes) console.log(`  missing: ${n}`);
    await writeReport('cri.json', {
      runs,
      results: Object.fromEntries([...timings].map(([k, v]) => [k, v.length ? summarize(v) : 'missing'])),
      notes,
    });
  } finally {
    for (const e of engines) await e.stop().catch(() => undefined);
    await bundle?.remove().catch(() => undefined);
    await d.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}
