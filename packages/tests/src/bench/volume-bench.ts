/**
 * The volume part of `npm run bench`: `polis run --rm busybox true` with no mount, with a named volume
 * and with a bind mount, interleaved round by round; the medians and what each mount adds.
 * BENCH_VOLUME_RUNS (default 15; 0 skips) rounds after BENCH_VOLUME_WARMUP (default 2).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestDaemon } from '../harness/daemon.js';
import { envInt, layout, writeReport } from './common.js';
import { median } from './stats.js';

type Case = 'none' | 'named volume' | 'bind mount';

export async function volumeBench(): Promise<void> {
  const runs = envInt('BENCH_VOLUME_RUNS', 15, 0);
  if (runs === 0) {
    console.log('volume bench: skipped (BENCH_VOLUME_RUNS=0)');
    return;
  }
  const warmup = envInt('BENCH_VOLUME_WARMUP', 2, 0);
  const host = await mkdtemp(join(tmpdir(), 'polis-bench-bind-'));
  let daemon: TestDaemon | undefined;
  try {
    daemon = await TestDaemon.start();
    await daemon.importBusybox();
    const d = daemon;
    const flags: Record<Case, string[]> = {
      none: [],
      'named volume': ['-v', 'benchvol:/data'],
      'bind mount': ['-v', `${host}:/data`],
    };
    const samples: Record<Case, number[]> = { none: [], 'named volume': [], 'bind mount': [] };
    for (let round = 0; round < warmup + runs; round++) {
      for (const c of Object.keys(flags) as Case[]) {
        const t0 = performance.now();
        const res = await d.polis(['run', '--rm', ...flags[c], 'busybox', 'true']);
        const ms = performance.now() - t0;
        if (res.code !== 0) throw new Error(`run --rm (${c}) failed: ${res.stderr}`);
        if (round >= warmup) samples[c].push(ms);
      }
    }
    const base = median(samples.none);
    const rows = [['polis run --rm', 'median ms', 'added ms']];
    for (const c of Object.keys(samples) as Case[]) {
      const m = median(samples[c]);
      rows.push([c, m.toFixed(1), c === 'none' ? '' : (m - base).toFixed(1)]);
    }
    console.log(`\n${layout(rows)}`);
    await writeReport('volume.json', { runs, warmup, samples });
  } finally {
    await daemon?.cleanup();
    await rm(host, { recursive: true, force: true });
  }
}
