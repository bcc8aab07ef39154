/**
 * The pull benchmark: a ~300 MB, 6-layer gzip image in a local registry, pulled by Polis, by podman's
 * path without podman (skopeo copy + umoci unpack), unpacked by GNU tar alone from the same blobs,
 * fetched alone, and pulled by podman or docker when a real one is here; interleaved round by round.
 * BENCH_PULL_RUNS (default 3; 0 skips) rounds; BENCH_PULL_MIB (default 300) uncompressed MiB;
 * BENCH_PULL_DROP_CACHES=0 keeps the page cache between cases.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { envInt, writeReport } from './common.js';
import { TestRegistry } from '../harness/registry.js';
import { runCommand } from '../harness/run.js';
import { formatGoals } from './report.js';
import {
  engineCase,
  fetchCase,
  polisCase,
  skopeoUmociCase,
  tarCase,
  type Details,
  type PullCase,
} from './pull-cases.js';
import { makeBenchImage } from './pull-image.js';
import { evaluatePullGoals, formatDetails, formatPullTable, type PullResult } from './pull-report.js';
import { median, summarize } from './stats.js';

const LAYERS = 6;
const MIB = 1024 * 1024;

interface Measured {
  c: PullCase;
  ms: number[];
  details: Details[];
}

/** Medians of each sub-measurement over the rounds. */
function medianDetails(all: readonly Details[]): Details {
  const names = [...new Set(all.flatMap((d) => Object.keys(d)))];
  return Object.fromEntries(names.map((n) => [n, median(all.map((d) => d[n] ?? 0))]));
}

/**
 * Dropping the clean page cache before each case puts every case on the same footing: on this VM,
 * unpacking while the page cache held a previous case's files cost tar several times the system time.
 */
async function canDropCaches(): Promise<boolean> {
  try {
    await writeFile('/proc/sys/vm/drop_caches', '1\n');
    return true;
  } catch {
    console.log('  page cache kept: /proc/sys/vm/drop_caches is not writable here');
    return false;
  }
}

export async function pullBench(): Promise<void> {
  const runs = envInt('BENCH_PULL_RUNS', 3, 0);
  if (runs === 0) {
    console.log('pull bench: skipped (BENCH_PULL_RUNS=0)');
    return;
  }
  const totalMiB = envInt('BENCH_PULL_MIB', 300, LAYERS);
  let dropCaches = process.env.BENCH_PULL_DROP_CACHES !== '0';
  const undo: (() => Promise<unknown>)[] = [];
  let interrupted = false;
  const onSigint = (): void => void (interrupted = true);
  process.once('SIGINT', onSigint);
  try {
    const work = await mkdtemp(join(tmpdir(), 'polis-bench-pull-'));
    undo.push(() => rm(work, { recursive: true, force: true }));
    const registry = await TestRegistry.start();
    undo.push(() => registry.stop());
    const t0 = performance.now();
    const image = await makeBenchImage(registry, work, totalMiB, LAYERS);
    const mib = (b: number): string => (b / MIB).toFixed(1);
    console.log(
      `pull bench: ${image.ref}, ${image.layers.length} gzip layers, ${image.files} files, ` +
        `${mib(image.tarBytes)} MiB of tar in ${mib(image.gzipBytes)} MiB of gzip ` +
        `(built and pushed in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );

    const cases: PullCase[] = [
      polisCase(image),
      skopeoUmociCase(image),
      tarCase(image),
      fetchCase(image, registry.host),
    ];
    const skipped: string[] = [];
    for (const engine of ['podman', 'docker'] as const) {
      const found = await engineCase(engine, image);
      if ('skipped' in found) skipped.push(found.skipped);
      else cases.push(found);
    }
    if (dropCaches) dropCaches = await canDropCaches();
    console.log(
      `pull bench: ${runs} rounds of ${cases.length} cases, interleaved; before each: sync` +
        (dropCaches ? ', clean page cache dropped (BENCH_PULL_DROP_CACHES=0 keeps it)' : ''),
    );
    for (const s of skipped) console.log(`  skipped: ${s}`);

    const measured: Measured[] = cases.map((c) => ({ c, ms: [], details: [] }));
    for (let round = 0; round < runs && !interrupted; round++) {
      // Rotating the order spreads drift (page cache, writeback) over all cases alike.
      for (let i = 0; i < measured.length && !interrupted; i++) {
        const m = measured[(round + i) % measured.length] as Measured;
        await m.c.before?.();
        try {
          // The previous case's dirty pages are written back now, not during this one's timing.
          await runCommand('sync', []);
          if (dropCaches) await writeFile('/proc/sys/vm/drop_caches', '1\n');
          const start = performance.now();
          const details = await m.c.run();
          m.ms.push(performance.now() - start);
          m.details.push(details);
        } finally {
          await m.c.after?.();
        }
        if (process.stderr.isTTY) process.stderr.write(`\rround ${round + 1}/${runs}, case ${i + 1}`);
      }
    }
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (interrupted) throw new Error('interrupted');

    const results: PullResult[] = measured.map((m) => ({
      key: m.c.key,
      name: m.c.name,
      summary: summarize(m.ms),
      details: medianDetails(m.details),
    }));
    const goals = evaluatePullGoals(results);
    console.log(`\n${formatPullTable(results, image)}\n`);
    console.log(`goals (medians):\n${formatGoals(goals)}\n`);
    console.log(`where time goes (medians):\n${formatDetails(results)}`);

    const report = {
      date: new Date().toISOString(),
      runs,
      dropCaches,
      host: { node: process.version, kernel: release() },
      image: {
        ref: image.ref,
        files: image.files,
        tarBytes: image.tarBytes,
        gzipBytes: image.gzipBytes,
        layers: image.layers.map(({ blob: _blob, ...rest }) => rest),
      },
      skipped,
      cases: measured.map((m) => ({
        key: m.c.key,
        name: m.c.name,
        ...summarize(m.ms),
        samples: m.ms.map((ms) => Math.round(ms * 10) / 10),
        details: m.details,
      })),
      goals,
    };
    await writeReport('pull.json', report);
  } finally {
    process.off('SIGINT', onSigint);
    for (const u of undo.reverse())
      await u().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
  }
}
