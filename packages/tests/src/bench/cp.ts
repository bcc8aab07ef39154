/**
 * `cp` of one large file into and out of a container (polis cp, docker cp against polisd) against plain
 * `cp` on the host (issue 10, Measure). Run as root: `node packages/tests/dist/bench/cp.js`
 * (BENCH_RUNS, BENCH_CP_MB).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDaemon } from '../harness/daemon.js';
import { runCommand } from '../harness/run.js';
import { envInt, layout, writeReport } from './common.js';

async function timed(name: string, fn: () => Promise<{ code: number; stderr: string }>): Promise<number> {
  const t0 = process.hrtime.bigint();
  const res = await fn();
  if (res.code !== 0) throw new Error(`${name} exited ${res.code}: ${res.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const runs = envInt('BENCH_RUNS', 3, 1);
  const mb = envInt('BENCH_CP_MB', 200, 1);
  const work = await mkdtemp(join(tmpdir(), 'polis-bench-cp-'));
  const d = await TestDaemon.start();
  try {
    await d.importBusybox();
    const file = join(work, 'big');
    await runCommand('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', `count=${mb}`, 'status=none']);
    const r = await d.docker(['run', '-d', '--name', 'bench-cp', 'busybox', 'sleep', '3600']);
    if (r.code !== 0) throw new Error(r.stderr);
    const cases: Record<string, () => Promise<{ code: number; stderr: string }>> = {
      'host cp': () => runCommand('cp', [file, join(work, 'copy')], { timeoutMs: 600_000 }),
      'polis cp in': () => d.polis(['cp', file, 'bench-cp:/tmp/big']),
      'polis cp out': () => d.polis(['cp', 'bench-cp:/tmp/big', join(work, 'out-polis')]),
      'docker cp in': () => d.docker(['cp', file, 'bench-cp:/tmp/big2']),
      'docker cp out': () => d.docker(['cp', 'bench-cp:/tmp/big2', join(work, 'out-docker')]),
    };
    const results: Record<string, number[]> = {};
    for (let i = 0; i < runs; i++) {
      for (const [name, fn] of Object.entries(cases)) (results[name] ??= []).push(await timed(name, fn));
    }
    const base = median(results['host cp'] ?? []);
    const rows = [['case', 'median ms', 'MB/s', 'vs host cp']];
    for (const [name, xs] of Object.entries(results)) {
      const m = median(xs);
      rows.push([name, m.toFixed(0), ((mb * 1000) / m).toFixed(0), `${(m / base).toFixed(2)}x`]);
    }
    console.log(`cp of a ${mb} MB file, ${runs} runs\n` + layout(rows));
    await writeReport('cp.json', { mb, runs, results });
  } finally {
    await d.cleanup();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
