/**
 * The user-namespace part of `npm run bench`: under `polisd --userns-remap`, the first `run --rm IMG true`
 * after an image is imported shifts a copy of each layer into the mapped ids; later runs use the copy.
 * Each round imports the image afresh, runs once with `--userns host` (no shifting: the baseline), then
 * the first remapped run, then a later one, and removes the image (which removes the copies). Two images:
 * busybox (one small layer) and busybox plus many small files, so both the per-MB and per-file costs
 * show. BENCH_USERNS_RUNS (default 5; 0 skips) rounds per image.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { busyboxTar } from '../harness/busybox.js';
import { TestDaemon } from '../harness/daemon.js';
import { runCommand } from '../harness/run.js';
import { makeRemapUser, type TestRemapUser } from '../harness/subids.js';
import { envInt, layout, writeReport } from './common.js';
import { median } from './stats.js';

const MANY_FILES = 2000;
const FILE_SIZE = 16 * 1024;

/** busybox's rootfs plus MANY_FILES files of FILE_SIZE bytes, as one rootfs tarball. */
async function manyFilesTar(dir: string): Promise<string> {
  const root = join(dir, 'rootfs');
  await mkdir(join(root, 'data'), { recursive: true });
  const tarred = await runCommand('tar', ['-xf', await busyboxTar(), '-C', root]);
  if (tarred.code !== 0) throw new Error(`unpacking busybox: ${tarred.stderr}`);
  const body = Buffer.alloc(FILE_SIZE, 7);
  for (let i = 0; i < MANY_FILES; i++) await writeFile(join(root, 'data', `f${i}`), body);
  const out = join(dir, 'many.tar');
  const res = await runCommand('tar', ['-cf', out, '-C', root, '.']);
  if (res.code !== 0) throw new Error(`tar: ${res.stderr}`);
  return out;
}

async function timedRun(d: TestDaemon, args: string[]): Promise<number> {
  const t0 = performance.now();
  const res = await d.polis(['run', '--rm', ...args, 'true']);
  const ms = performance.now() - t0;
  if (res.code !== 0) throw new Error(`run --rm ${args.join(' ')} failed: ${res.stderr}`);
  return ms;
}

interface ImageResult {
  image: string;
  mb: number;
  host: number[];
  first: number[];
  later: number[];
  /** What polisd logged for each layer copy: its ms and the layer's bytes. */
  copies: { ms: number; bytes: number }[];
}

const COPY_LINE = /msg="layer shifted into a user namespace".* bytes=(\d+) ms=(\d+)/g;

function copiesIn(log: string): { ms: number; bytes: number }[] {
  return [...log.matchAll(COPY_LINE)].map((m) => ({ bytes: Number(m[1]), ms: Number(m[2]) }));
}

export async function usernsBench(): Promise<void> {
  const runs = envInt('BENCH_USERNS_RUNS', 5, 0);
  if (runs === 0) {
    console.log('userns bench: skipped (BENCH_USERNS_RUNS=0)');
    return;
  }
  const work = await mkdtemp(join(tmpdir(), 'polis-bench-userns-'));
  let user: TestRemapUser | undefined;
  let daemon: TestDaemon | undefined;
  try {
    user = await makeRemapUser();
    daemon = await TestDaemon.start({ usernsRemap: user.name });
    const d = daemon;
    const images: [string, string][] = [
      ['busybox', await busyboxTar()],
      [`busybox+${MANY_FILES}x16KiB`, await manyFilesTar(work)],
    ];
    const results: ImageResult[] = [];
    for (const [label, tar] of images) {
      const r: ImageResult = { image: label, mb: 0, host: [], first: [], later: [], copies: [] };
      for (let round = 0; round < runs; round++) {
        const imported = await d.polis(['import', tar, 'usernsbench:latest']);
        if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
        r.mb = Number((await d.polis(['image', 'inspect', '-f', '{{.Size}}', 'usernsbench'])).stdout) / 1e6;
        r.host.push(await timedRun(d, ['--userns', 'host', 'usernsbench']));
        const logFrom = d.log.length;
        r.first.push(await timedRun(d, ['usernsbench']));
        r.copies.push(...copiesIn(d.log.slice(logFrom)));
        r.later.push(await timedRun(d, ['usernsbench']));
        const removed = await d.polis(['rmi', 'usernsbench']);
        if (removed.code !== 0) throw new Error(`rmi failed: ${removed.stderr}`);
      }
      results.push(r);
    }
    const rows = [
      [
        'run --rm under --userns-remap',
        'layer MB',
        'host ms',
        'first ms',
        'later ms',
        'first +ms/MB',
        'copy ms/MB',
        'later +ms',
      ],
    ];
    for (const r of results) {
      const host = median(r.host);
      const first = median(r.first);
      const later = median(r.later);
      rows.push([
        r.image,
        r.mb.toFixed(1),
        host.toFixed(1),
        first.toFixed(1),
        later.toFixed(1),
        ((first - later) / r.mb).toFixed(1),
        copyRate(r.copies),
        (later - host).toFixed(1),
      ]);
    }
    console.log(`\n${layout(rows)}`);
    console.log(
      '(first +ms/MB: the first use less a later one, per MB of layer; copy ms/MB: the copies as polisd timed them;',
    );
    console.log(' later +ms: a later use less one with --userns host)');
    await writeReport('userns.json', { runs, results });
  } finally {
    await daemon?.cleanup();
    await user?.remove();
    await rm(work, { recursive: true, force: true });
  }
}

/** Median of each layer copy's ms per MB, as polisd logged them. */
function copyRate(copies: { ms: number; bytes: number }[]): string {
  const rates = copies.filter((c) => c.bytes > 0).map((c) => c.ms / (c.bytes / 1e6));
  return rates.length > 0 ? median(rates).toFixed(1) : 'n/a';
}
