/**
 * The health check part of `npm run bench`: BENCH_HEALTH_CONTAINERS (default 50; 0 skips) running
 * containers with `--health-cmd true --health-interval 1s`, for BENCH_HEALTH_SECONDS (default 30): the CPU
 * of the daemon itself and of the whole host (each probe is an exec: runtime and supervisor processes
 * come and go), for polisd and for the bench's own dockerd in the same run.
 */
import { busyboxTar } from '../harness/busybox.js';
import { TestDaemon } from '../harness/daemon.js';
import { runCommand } from '../harness/run.js';
import { envInt, layout, writeReport } from './common.js';
import { cpuMs, hostCpuMs, pidsNamed } from './cpu.js';
import { benchDockerPid, benchDockerSocket } from './docker-socket.js';

const HEALTH = ['--health-cmd', 'true', '--health-interval', '1s'];

interface Outcome {
  engine: string;
  daemonPercent: number;
  hostPercent: number;
  probesPerSecond: number;
}

async function measure(
  engine: string,
  daemonPids: () => number[],
  probes: () => Promise<number>,
  seconds: number,
): Promise<Outcome> {
  // Let the first probes of every container happen before the clock starts.
  await new Promise((r) => setTimeout(r, 3000));
  const d0 = await cpuMs(daemonPids());
  const h0 = await hostCpuMs();
  const p0 = await probes();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = performance.now() - t0;
  const d1 = await cpuMs(daemonPids());
  const h1 = await hostCpuMs();
  const p1 = await probes();
  return {
    engine,
    daemonPercent: ((d1 - d0) / elapsed) * 100,
    hostPercent: ((h1 - h0) / elapsed) * 100,
    probesPerSecond: ((p1 - p0) / elapsed) * 1000,
  };
}

/** Probes finished since SINCE: each is an exec, which ends with an `exec_die` event. */
async function countEvents(
  command: string,
  base: string[],
  env: NodeJS.ProcessEnv,
  since: number,
): Promise<number> {
  const res = await runCommand(
    command,
    [
      ...base,
      'events',
      '--since',
      String(since),
      '--until',
      String(Date.now() / 1000),
      '--filter',
      'event=exec_die',
    ],
    { env, timeoutMs: 60_000 },
  );
  return res.stdout.split('\n').filter((l) => l.trim() !== '').length;
}

async function startMany(
  command: string,
  base: string[],
  image: string,
  n: number,
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await runCommand(
      command,
      [...base, 'run', '-d', '--network', 'none', ...HEALTH, image, 'sleep', '3600'],
      {
        env,
      },
    );
    if (res.code !== 0) throw new Error(`${command} run -d failed: ${res.stderr.trim()}`);
    ids.push(res.stdout.trim());
  }
  return ids;
}

export async function healthBench(): Promise<void> {
  const count = envInt('BENCH_HEALTH_CONTAINERS', 50, 0);
  if (count === 0) {
    console.log('health bench: skipped (BENCH_HEALTH_CONTAINERS=0)');
    return;
  }
  const seconds = envInt('BENCH_HEALTH_SECONDS', 30, 1);
  const outcomes: Outcome[] = [];
  const skipped: string[] = [];
  const daemon = await TestDaemon.start();
  try {
    await daemon.importBusybox();
    const since = Math.floor(Date.now() / 1000);
    for (let i = 0; i < count; i++) {
      const res = await daemon.polis([
        'run',
        '-d',
        '--network',
        'none',
        ...HEALTH,
        'busybox',
        'sleep',
        '3600',
      ]);
      if (res.code !== 0) throw new Error(`polis run -d failed: ${res.stderr}`);
    }
    const polisd = daemon.child?.pid ?? -1;
    const env = daemon.env();
    outcomes.push(
      await measure(
        'polisd',
        () => [polisd],
        () => countEvents('docker', [], env, since),
        seconds,
      ),
    );
  } finally {
    await daemon.cleanup();
  }

  const socket = benchDockerSocket();
  const dockerd = benchDockerPid();
  if (socket === undefined || dockerd === undefined) skipped.push('dockerd: the bench has no dockerd');
  else {
    const env = { ...process.env };
    delete env.DOCKER_HOST;
    const base = ['-H', `unix://${socket}`];
    const image = 'polis-bench-busybox:latest';
    const imported = await runCommand('docker', [...base, 'import', await busyboxTar(), image], {
      env,
      timeoutMs: 120_000,
    });
    if (imported.code !== 0) skipped.push(`dockerd: cannot import busybox: ${imported.stderr.trim()}`);
    else {
      let ids: string[] = [];
      const since = Math.floor(Date.now() / 1000);
      try {
        ids = await startMany('docker', base, image, count, env);
        outcomes.push(
          await measure(
            'dockerd + containerd',
            () => [dockerd, ...pidsNamed(['containerd'])],
            () => countEvents('docker', base, env, since),
            seconds,
          ),
        );
      } catch (err) {
        skipped.push(`dockerd: ${(err as Error).message}`);
      } finally {
        if (ids.length > 0)
          await runCommand('docker', [...base, 'rm', '-f', ...ids], { env, timeoutMs: 300_000 });
        await runCommand('docker', [...base, 'rmi', '-f', image], { env });
      }
    }
  }
  const rows = [['daemon', 'daemon % of one core', 'host % (all CPUs)', 'probes/s']];
  for (const o of outcomes)
    rows.push([o.engine, o.daemonPercent.toFixed(1), o.hostPercent.toFixed(1), o.probesPerSecond.toFixed(1)]);
  console.log(`\nhealth bench: ${count} containers, a check every second, ${seconds} s\n${layout(rows)}`);
  for (const s of skipped) console.log(`  skipped: ${s}`);
  await writeReport('health.json', { count, seconds, outcomes, skipped });
}
