/**
 * The resource-limit part of `npm run bench`: `polis run --rm busybox true` with no limits and with a
 * full set (memory, swap, reservation, swappiness, OOM score, CPU shares, quota and cpuset, pids,
 * block I/O throttles, /dev/shm size, a ulimit), interleaved round by round; the medians and what the
 * limits add. BENCH_LIMITS_RUNS (default 15; 0 skips) rounds after BENCH_LIMITS_WARMUP (default 2).
 */
import { performance } from 'node:perf_hooks';
import { TestDaemon } from '../harness/daemon.js';
import { envInt, layout, writeReport } from './common.js';
import { median } from './stats.js';

type Case = 'no limits' | 'full set of limits';

/** Every limit this host enforces (the block device is the one under / here). */
const FULL_SET = [
  '-m',
  '64m',
  '--memory-swap',
  '128m',
  '--memory-reservation',
  '32m',
  '--memory-swappiness',
  '10',
  '--oom-score-adj',
  '100',
  '--cpu-shares',
  '512',
  '--cpus',
  '0.5',
  '--cpuset-cpus',
  '0-1',
  '--cpuset-mems',
  '0',
  '--pids-limit',
  '100',
  '--device-read-bps',
  '/dev/vda:10mb',
  '--device-write-bps',
  '/dev/vda:10mb',
  '--device-read-iops',
  '/dev/vda:1000',
  '--device-write-iops',
  '/dev/vda:1000',
  '--shm-size',
  '16m',
  '--ulimit',
  'nofile=1024:1024',
];

export async function limitsBench(): Promise<void> {
  const runs = envInt('BENCH_LIMITS_RUNS', 15, 0);
  if (runs === 0) {
    console.log('limits bench: skipped (BENCH_LIMITS_RUNS=0)');
    return;
  }
  const warmup = envInt('BENCH_LIMITS_WARMUP', 2, 0);
  let daemon: TestDaemon | undefined;
  try {
    daemon = await TestDaemon.start();
    await daemon.importBusybox();
    const d = daemon;
    const flags: Record<Case, string[]> = { 'no limits': [], 'full set of limits': FULL_SET };
    const samples: Record<Case, number[]> = { 'no limits': [], 'full set of limits': [] };
    for (let round = 0; round < warmup + runs; round++) {
      for (const c of Object.keys(flags) as Case[]) {
        const t0 = performance.now();
        const res = await d.polis(['run', '--rm', ...flags[c], 'busybox', 'true']);
        const ms = performance.now() - t0;
        if (res.code !== 0) throw new Error(`run --rm (${c}) failed: ${res.stderr}`);
        if (round >= warmup) samples[c].push(ms);
      }
    }
    const base = median(samples['no limits']);
    const rows = [['polis run --rm', 'median ms', 'added ms']];
    for (const c of Object.keys(samples) as Case[]) {
      const m = median(samples[c]);
      rows.push([c, m.toFixed(1), c === 'no limits' ? '' : (m - base).toFixed(1)]);
    }
    console.log(`\n${layout(rows)}`);
    await writeReport('limits.json', { runs, warmup, flags: FULL_SET, samples });
  } finally {
    await daemon?.cleanup();
  }
}

// Run alone: `node packages/tests/dist/bench/limits-bench.js`.
if (import.meta.url === `file://${process.argv[1]}`) {
  limitsBench().catch((err: unknown) => {
    console.error(`limits bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  });
}
