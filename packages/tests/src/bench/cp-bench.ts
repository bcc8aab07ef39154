/**
 * The cp part of `npm run bench`: `polis cp` of one large file into and out of a running container, and the
 * docker CLI's `docker cp` against the same polisd, each against plain `cp` of the same file on the host,
 * interleaved round by round (issue 10, Measure). BENCH_CP_RUNS (default 3; 0 skips) rounds after one
 * unmeasured one; BENCH_CP_MB (default 200) is the file's size. The copies are checked against the source.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestDaemon } from '../harness/daemon.js';
import { runCommand, type CommandResult } from '../harness/run.js';
import { envInt, layout, writeReport } from './common.js';
import { median } from './stats.js';

const CONTAINER = 'bench-cp';

export async function cpBench(): Promise<void> {
  const runs = envInt('BENCH_CP_RUNS', 3, 0);
  if (runs === 0) {
    console.log('cp bench: skipped (BENCH_CP_RUNS=0)');
    return;
  }
  const mb = envInt('BENCH_CP_MB', 200, 1);
  const work = await mkdtemp(join(tmpdir(), 'polis-bench-cp-'));
  let daemon: TestDaemon | undefined;
  try {
    daemon = await TestDaemon.start();
    const d = daemon;
    await d.importBusybox();
    const file = join(work, 'big');
    await must(
      'dd',
      await runCommand('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', `count=${mb}`, 'status=none']),
    );
    await must('run', await d.polis(['run', '-d', '--name', CONTAINER, 'busybox', 'sleep', '3600']));
    const hasDocker = (await runCommand('docker', ['--version']).catch(() => ({ code: 127 }))).code === 0;
    const long = { timeoutMs: 600_000 };
    const cases: Record<string, () => Promise<CommandResult>> = {
      'host cp': () => runCommand('cp', [file, join(work, 'host-copy')], long),
      'polis cp in': () => d.polis(['cp', file, `${CONTAINER}:/tmp/polis-in`], long),
      'polis cp out': () => d.polis(['cp', `${CONTAINER}:/tmp/polis-in`, join(work, 'polis-out')], long),
      ...(hasDocker
        ? {
            'docker cp in': () => d.docker(['cp', file, `${CONTAINER}:/tmp/docker-in`], long),
            'docker cp out': () =>
              d.docker(['cp', `${CONTAINER}:/tmp/docker-in`, join(work, 'docker-out')], long),
          }
        : {}),
    };
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    for (let round = 0; round < runs + 1; round++) {
      for (const [name, once] of Object.entries(cases)) {
        const t0 = performance.now();
        await must(name, await once());
        if (round > 0) samples[name]!.push(performance.now() - t0);
      }
    }
    // A fast copy that copied the wrong thing would be no result.
    await must('cmp polis', await runCommand('cmp', [file, join(work, 'polis-out')]));
    if (hasDocker) await must('cmp docker', await runCommand('cmp', [file, join(work, 'docker-out')]));
    const inside = await d.polis(['exec', CONTAINER, 'stat', '-c', '%s', '/tmp/polis-in']);
    if (Number(inside.stdout.trim()) !== (await stat(file)).size)
      throw new Error(`cp in: size ${inside.stdout}`);

    const base = median(samples['host cp']!);
    const rows = [['cp of one file', 'median ms', 'MB/s', 'vs host cp']];
    for (const [name, xs] of Object.entries(samples)) {
      const m = median(xs);
      rows.push([
        name,
        m.toFixed(0),
        ((mb * 1000) / m).toFixed(0),
        name === 'host cp' ? '' : `${(m / base).toFixed(2)}x`,
      ]);
    }
    console.log(
      `\ncp of a ${mb} MB file into and out of a running container, ${runs} rounds\n${layout(rows)}`,
    );
    if (!hasDocker) console.log('docker cp: skipped (no docker CLI)');
    await writeReport('cp.json', { mb, runs, samples });
  } finally {
    await daemon?.cleanup();
    await rm(work, { recursive: true, force: true });
  }
}

async function must(what: string, res: CommandResult): Promise<void> {
  if (res.code !== 0) throw new Error(`${what} exited ${res.code}: ${res.stderr.trim()}`);
}
