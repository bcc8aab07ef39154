/**
 * The health check part of `npm run bench`: BENCH_HEALTH_CONTAINERS (default 50; 0 skips) running
 * containers with `--health-cmd true --health-interval 1s`, for BENCH_HEALTH_SECONDS (default 30): the CPU
 * of the daemon itself and of the whole host (each probe is an exec: runtime and supervisor processes
 * come and go), for polisd and for the bench's own dockerd in the same run.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { runCommand } from '../harness/run.js';
import { envInt, layout, writeReport } from './common.js';
import { cpuMs, hostCpuMs } from './cpu.js';
import { withDockerFleet, withPolisFleet } from './fleet.js';

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

/**
 * polisd's probe helper (runtime/exec/probe-helper.js, a child of polisd that starts each probe): its CPU
 * is polisd's, counted with it.
 */
function probeHelpers(parents: number[]): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parents.includes(ppid) && readFileSync(`/proc/${e}/cmdline`, 'latin1').includes('probe-helper'))
        out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Probes finished since SINCE: each is an exec, which ends with an `exec_die` event. */
async function countEvents(base: string[], env: NodeJS.ProcessEnv, since: number): Promise<number> {
  const res = await runCommand(
    'docker',
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

export async function healthBench(): Promise<void> {
  const count = envInt('BENCH_HEALTH_CONTAINERS', 50, 0);
  if (count === 0) {
    console.log('health bench: skipped (BENCH_HEALTH_CONTAINERS=0)');
    return;
  }
  const seconds = envInt('BENCH_HEALTH_SECONDS', 30, 1);
  const outcomes: Outcome[] = [];
  const skipped: string[] = [];
  const since = Math.floor(Date.now() / 1000);
  outcomes.push(
    await withPolisFleet(count, HEALTH, (f) =>
      measure(
        'polisd (+ its probe helper)',
        () => [...f.daemonPids(), ...probeHelpers(f.daemonPids())],
        () => countEvents(f.dockerArgs, f.env, since),
        seconds,
      ),
    ),
  );
  const dockerSince = Math.floor(Date.now() / 1000);
  const docker = await withDockerFleet(count, HEALTH, (f) =>
    measure(
      'dockerd + containerd',
      () => f.daemonPids(),
      () => countEvents(f.dockerArgs, f.env, dockerSince),
      seconds,
    ),
  );
  if ('skipped' in docker) skipped.push(docker.skipped);
  else outcomes.push(docker);
  const rows = [['daemon', 'daemon % of one core', 'host % (all CPUs)', 'probes/s']];
  for (const o of outcomes)
    rows.push([o.engine, o.daemonPercent.toFixed(1), o.hostPercent.toFixed(1), o.probesPerSecond.toFixed(1)]);
  console.log(`\nhealth bench: ${count} containers, a check every second, ${seconds} s\n${layout(rows)}`);
  for (const s of skipped) console.log(`  skipped: ${s}`);
  await writeReport('health.json', { count, seconds, outcomes, skipped });
}
