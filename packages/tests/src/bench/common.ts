import { statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/paths.js';

/** An integer setting from the environment (`BENCH_RUNS=5`), checked. */
export function envInt(name: string, fallback: number, min: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${text}`);
  return n;
}

/** Left-aligned first column, right-aligned numbers. */
export function layout(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))))
    .map((r) => r.join('  ').trimEnd())
    .join('\n');
}

/** Writes a bench's full results to `.bench/<name>` and says where. */
export async function writeReport(name: string, report: unknown): Promise<void> {
  const out = join(REPO_ROOT, '.bench');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, name), JSON.stringify(report, null, 2) + '\n');
  console.log(`\nwritten: ${join(out, name)}`);
}

/**
 * Refuses to measure a CLI users would not get: `bin/polis` runs `build/polis` only while it is newer
 * than the compiled packages it was built from, and falls back to the Node bundle otherwise (after a
 * `tsc -b` without `scripts/build-cli.mjs`), which starts ~100 ms slower.
 */
export function assertShippedCli(): void {
  const stamp = (p: string): number => {
    try {
      return statSync(join(REPO_ROOT, p)).mtimeMs;
    } catch {
      return Number.NaN;
    }
  };
  const exe = stamp('build/polis');
  if (Number.isNaN(exe)) return; // no single executable here: the bundle is what users get
  const newest = Math.max(
    ...['cli', 'sdk', 'core']
      .map((p) => stamp(`packages/${p}/dist/.tsbuildinfo`))
      .filter((t) => !Number.isNaN(t)),
  );
  if (exe <= newest) {
    throw new Error(
      'build/polis is older than the compiled packages, so bin/polis would run the Node bundle: ' +
        'run `node scripts/build-cli.mjs` (or `npm run build`) first',
    );
  }
}
