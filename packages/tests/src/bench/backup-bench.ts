/**
 * The backup part of `npm run bench`: `polis volume backup` and `polis volume restore` of a volume of
 * mixed files (many small, some large, half compressible) against `tar --zstd -cf` / `tar --zstd -xf` of
 * the same tree, interleaved, in the same run; the medians and the ratios (goal ≤ 1.3×).
 * BENCH_BACKUP_MB (default 500; 0 skips) sizes the tree, BENCH_BACKUP_RUNS (default 2) the rounds.
 * BENCH_BACKUP_TMPFS=1 puts the daemon's data root and the archives on a tmpfs, where no disk hides the
 * CPU either side spends (a restore's ratio on a disk swings with its writeback).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestDaemon } from '../harness/daemon.js';
import { runCommand } from '../harness/run.js';
import { envInt, layout, writeReport } from './common.js';
import { median } from './stats.js';

const MIB = 1024 * 1024;

/** Half the bytes in 8 large files, half in small ones (1–15 KiB); every other block text, the rest random. */
export function fillMixed(root: string, megabytes: number): { files: number; bytes: number } {
  const text = Buffer.from('polis volume backup bench: a line of text that compresses well. '.repeat(20_000));
  const block = (i: number, size: number): Buffer =>
    i % 2 === 0 ? text.subarray(i % 1000, (i % 1000) + size) : randomBytes(size);
  let bytes = 0;
  let files = 0;
  const large = (megabytes * MIB) / 2 / 8;
  mkdirSync(join(root, 'large'));
  for (let f = 0; f < 8; f++) {
    const parts: Buffer[] = [];
    for (let off = 0, i = f; off < large; off += MIB, i++) parts.push(block(i, Math.min(MIB, large - off)));
    writeFileSync(join(root, 'large', `big${f}.bin`), Buffer.concat(parts));
    bytes += large;
    files++;
  }
  for (let i = 0; bytes < megabytes * MIB; i++) {
    const dir = join(root, `small${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) mkdirSync(dir);
    const size = 1024 + ((i * 7919) % (14 * 1024));
    writeFileSync(join(dir, `f${i}.txt`), block(i, size));
    bytes += size;
    files++;
  }
  return { files, bytes };
}

async function timed(what: string, run: () => Promise<{ code: number; stderr: string }>): Promise<number> {
  const t0 = performance.now();
  const res = await run();
  const ms = performance.now() - t0;
  if (res.code !== 0) throw new Error(`${what} failed: ${res.stderr}`);
  return ms;
}

export async function backupBench(): Promise<void> {
  const megabytes = envInt('BENCH_BACKUP_MB', 500, 0);
  if (megabytes === 0) {
    console.log('backup bench: skipped (BENCH_BACKUP_MB=0)');
    return;
  }
  const runs = envInt('BENCH_BACKUP_RUNS', 2, 1);
  const inRam = process.env.BENCH_BACKUP_TMPFS === '1';
  let work = await mkdtemp(join(tmpdir(), 'polis-bench-backup-'));
  let daemon: TestDaemon | undefined;
  try {
    // Room for the tree, two archives, two restored copies and the one being extracted.
    daemon = await TestDaemon.start(inRam ? { dataRootTmpfs: `${megabytes * 5 + 512}m` } : {});
    const d = daemon;
    if (inRam) {
      await rm(work, { recursive: true, force: true });
      work = join(d.dataRoot, 'bench-work');
      mkdirSync(work);
    }
    const created = await d.polis(['volume', 'create', 'benchsrc']);
    if (created.code !== 0) throw new Error(`volume create: ${created.stderr}`);
    const source = (await d.polis(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'benchsrc'])).stdout.trim();
    const tree = fillMixed(source, megabytes);
    const polisArchive = join(work, 'polis.tar.zst');
    const tarArchive = join(work, 'tar.tar.zst');
    const samples = {
      polisBackup: [] as number[],
      tarCreate: [] as number[],
      polisRestore: [] as number[],
      tarExtract: [] as number[],
    };
    // Each op starts after a sync (so the previous op's writeback does not land in its time), and the
    // order alternates by round (so neither side always runs right after the other's deletions).
    const op = async (
      what: string,
      run: () => Promise<{ code: number; stderr: string }>,
    ): Promise<number> => {
      await runCommand('sync', []);
      return timed(what, run);
    };
    const long = { timeoutMs: 600_000 };
    for (let round = 0; round < runs; round++) {
      const into = join(work, `extract${round}`);
      mkdirSync(into);
      const tarCreate = async (): Promise<void> => {
        samples.tarCreate.push(
          await op('tar --zstd -cf', () =>
            runCommand('tar', ['--zstd', '-cf', tarArchive, '-C', source, '.'], long),
          ),
        );
      };
      const polisBackup = async (): Promise<void> => {
        samples.polisBackup.push(
          await op('polis volume backup', () =>
            d.polis(['volume', 'backup', 'benchsrc', '-o', polisArchive], long),
          ),
        );
      };
      const tarExtract = async (): Promise<void> => {
        samples.tarExtract.push(
          await op('tar --zstd -xf', () =>
            runCommand('tar', ['--zstd', '-xf', tarArchive, '-C', into], long),
          ),
        );
      };
      const polisRestore = async (): Promise<void> => {
        samples.polisRestore.push(
          await op('polis volume restore', () =>
            d.polis(['volume', 'restore', polisArchive, `benchdst${round}`], long),
          ),
        );
      };
      const order =
        round % 2 === 0
          ? [tarCreate, polisBackup, tarExtract, polisRestore]
          : [polisBackup, tarCreate, polisRestore, tarExtract];
      for (const step of order) await step();
      await rm(into, { recursive: true, force: true });
      const removed = await d.polis(['volume', 'rm', `benchdst${round}`]);
      if (removed.code !== 0) throw new Error(`volume rm: ${removed.stderr}`);
    }
    const sizes = { polis: statSync(polisArchive).size, tar: statSync(tarArchive).size };
    const m = {
      polisBackup: median(samples.polisBackup),
      tarCreate: median(samples.tarCreate),
      polisRestore: median(samples.polisRestore),
      tarExtract: median(samples.tarExtract),
    };
    const perRound = (polis: number[], tar: number[]): string =>
      polis.map((p, i) => (p / (tar[i] ?? p)).toFixed(2)).join(', ');
    const where = inRam ? 'on a tmpfs' : 'on the data root';
    const rows = [
      [
        `${(tree.bytes / MIB).toFixed(0)} MiB, ${tree.files} files, ${where}`,
        'polis ms',
        'tar --zstd ms',
        'ratio',
      ],
      [
        'backup / -cf',
        m.polisBackup.toFixed(0),
        m.tarCreate.toFixed(0),
        (m.polisBackup / m.tarCreate).toFixed(2),
      ],
      [
        'restore / -xf',
        m.polisRestore.toFixed(0),
        m.tarExtract.toFixed(0),
        (m.polisRestore / m.tarExtract).toFixed(2),
      ],
      [
        'archive MiB',
        (sizes.polis / MIB).toFixed(1),
        (sizes.tar / MIB).toFixed(1),
        (sizes.polis / sizes.tar).toFixed(2),
      ],
    ];
    console.log(`\n${layout(rows)}`);
    console.log(`  per round: backup ${perRound(samples.polisBackup, samples.tarCreate)}`);
    console.log(`  per round: restore ${perRound(samples.polisRestore, samples.tarExtract)}`);
    await writeReport('backup.json', { megabytes, runs, where, tree, sizes, samples });
  } finally {
    await daemon?.cleanup();
    await rm(work, { recursive: true, force: true });
  }
}
