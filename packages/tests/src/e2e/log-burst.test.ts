import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';

const MiB = 1024 * 1024;
/** One output line: a 7-digit number, a space, 1000 x's and the newline. */
const LINE = 1009;
/** conmon's k8s-file prefix of a full line: RFC 3339 time with nanoseconds and offset, stream, `F`. */
const PREFIX = '2026-12-03T18:40:00.123456789+00:00 stdout F '.length;

/** Bytes of a container's log files on disk, each file once (rotation gives some files two names). */
function logBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  const seen = new Map<number, number>();
  for (const f of readdirSync(dir)) {
    if (!f.includes('ctr.log')) continue;
    try {
      const s = statSync(join(dir, f));
      seen.set(s.ino, s.size);
    } catch {
      // rotated away between the listing and the stat
    }
  }
  return [...seen.values()].reduce((a, b) => a + b, 0);
}

/** Each log file's name, size and first and last line numbers, for a failure's message. */
function describeFiles(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.includes('ctr.log'))
    .map((f) => {
      const rows = readFileSync(join(dir, f), 'utf8').trimEnd().split('\n');
      const num = (row: string | undefined): string => row?.slice(PREFIX, PREFIX + 7) ?? '';
      return `${f} ${statSync(join(dir, f)).size} ${num(rows[0])}..${num(rows.at(-1))}`;
    })
    .join(', ');
}

/** A burst far larger than the bound, written as fast as busybox awk can (about a second). */
describe('a burst of log output keeps its newest (max-file − 1) × max-size, in order', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  const burst = async (
    lines: number,
    maxSize: number,
    maxFiles: number,
    logOpts: string[],
  ): Promise<void> => {
    const script = `BEGIN { s = sprintf("%1000s", ""); gsub(/ /, "x", s); for (i = 1; i <= ${lines}; i++) printf "%07d %s\\n", i, s }`;
    const id = ok(await d.polis(['create', ...logOpts, 'busybox', 'awk', script]));
    const dir = join(d.dataRoot, 'containers', id);
    // Sample the files on disk while the burst runs: the bound must hold throughout, not only at the end.
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, logBytes(dir));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const started = Date.now();
    ok(await d.polis(['start', id]));
    assert.equal(ok(await d.polis(['wait', id])), '0');
    const seconds = (Date.now() - started) / 1000;
    sampling = false;
    await sampler;

    // conmon may record the exit a moment before it has written the last of the pipe's contents.
    let out = '';
    for (let i = 0; i < 100; i++) {
      out = (await d.polis(['logs', '--tail', '1', id])).stdout;
      if (out.startsWith(String(lines).padStart(7, '0'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const bound = maxFiles * maxSize;
    const kept = logBytes(dir);
    // The last cut leaves the newest file partly filled; the rotated ones are full but for one line.
    const keepAtLeast = (maxFiles - 1) * (maxSize - (PREFIX + LINE));
    assert.ok(kept <= bound, `${kept} bytes on disk, bound ${bound}`);
    assert.ok(kept >= keepAtLeast, `${kept} bytes on disk, at least ${keepAtLeast} expected`);
    // Between conmon's cut and polisd's rotation the new file and the cut one are both there; the oldest
    // goes as soon as polisd sees the cut. A polisd that is slow to be scheduled may see two cuts at once.
    assert.ok(
      peak <= bound + 2 * maxSize,
      `peak ${peak} bytes on disk during the burst (${seconds} s), bound ${bound}`,
    );

    out = (await d.polis(['logs', id])).stdout;
    const got = out.split('\n').filter((l) => l !== '');
    // conmon splits a line where a read of the pipe ends (a `P` record, then `F`); when its cut falls
    // between the two, the oldest file kept starts with the end of a line.
    if (!/^\d{7} /.test(got[0] ?? '')) got.shift();
    const numbers = got.map((l) => Number(l.slice(0, 7)));
    const first = numbers[0] ?? 0;
    assert.equal(numbers.at(-1), lines, `the output ends with the last line; files: ${describeFiles(dir)}`);
    const gaps = numbers.filter((n, i) => n !== first + i);
    assert.deepEqual(gaps.slice(0, 5), [], `lines ${first}..${lines} consecutive`);
    for (const l of got) assert.equal(l.length, LINE - 1);
    const outputKept = got.length * LINE;
    const atLeast = Math.floor(keepAtLeast / (PREFIX + LINE)) * LINE;
    assert.ok(outputKept >= atLeast, `${outputKept} bytes of output kept, at least ${atLeast}`);
    ok(await d.polis(['rm', id]));
  };

  it('a restart appends to the last run’s log, and the bound still holds (conmon counts from zero)', async () => {
    // The first run writes 2,800 lines (2.8 MB of log), the second a burst of 40,000; files of 4 MB, as
    // in the burst below, so that a polisd starved for a moment on a loaded machine still sees each cut.
    const script =
      'n=$(cat /runs 2>/dev/null || echo 0); n=$((n+1)); echo $n > /runs; ' +
      'if [ $n = 1 ]; then c=2800; else c=40000; fi; ' +
      `awk -v c=$c 'BEGIN { s = sprintf("%1000s", ""); gsub(/ /, "x", s); for (i = 1; i <= c; i++) printf "%07d %s\\n", i, s }'`;
    const id = ok(
      await d.polis([
        'create',
        '--log-opt',
        'max-size=4m',
        '--log-opt',
        'max-file=2',
        'busybox',
        'sh',
        '-c',
        script,
      ]),
    );
    const dir = join(d.dataRoot, 'containers', id);
    ok(await d.polis(['start', id]));
    assert.equal(ok(await d.polis(['wait', id])), '0');
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, logBytes(dir));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    ok(await d.polis(['start', id]));
    assert.equal(ok(await d.polis(['wait', id])), '0');
    let out = '';
    for (let i = 0; i < 100; i++) {
      out = (await d.polis(['logs', '--tail', '1', id])).stdout;
      if (out.startsWith('0040000')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    sampling = false;
    await sampler;
    const kept = logBytes(dir);
    assert.ok(kept <= 8 * MiB, `${kept} bytes on disk, bound ${8 * MiB}`);
    assert.ok(kept >= 4 * MiB - (PREFIX + LINE), `${kept} bytes on disk`);
    assert.ok(peak <= 16 * MiB, `peak ${peak} bytes on disk`);
    const numbers = (await d.polis(['logs', id])).stdout
      .split('\n')
      .filter((l, i) => l !== '' && (i > 0 || /^\d{7} /.test(l))) // see above: a split first line
      .map((l) => Number(l.slice(0, 7)));
    const first = numbers[0] ?? 0;
    assert.equal(numbers.at(-1), 40_000);
    assert.deepEqual(
      numbers.filter((n, i) => n !== first + i).slice(0, 5),
      [],
      `lines ${first}..40000 consecutive`,
    );
    ok(await d.polis(['rm', id]));
  });

  // polisd must see each of conmon's cuts before the next-but-one: on this shared 2-core machine it was
  // seen waiting 180 ms for the CPU, so the small bound is 4 MB (two cuts take about half a second).
  it('65 MB with max-size=4m, max-file=3: the last 8 MB or more in order, never more than 12 MB', async () => {
    await burst(65_000, 4 * MiB, 3, ['--log-opt', 'max-size=4m', '--log-opt', 'max-file=3']);
  });

  it('65 MB with the default bound (10 MB × 2): the last 10 MB or more in order, never more than 20 MB', async () => {
    await burst(65_000, 10 * MiB, 2, []);
  });
});
