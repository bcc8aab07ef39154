#!/usr/bin/env node
// Runs the compiled node:test files: unit tests beside the code, then packages/tests (integration).
// Node 20's --test takes no globs, so the files are listed here. `--unit` runs what needs neither root nor
// host tools: it leaves out packages/tests and the `x.host.test.ts` files beside the code (real bridges,
// nft, overlay mounts, layers unpacked with their owners).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = join(import.meta.dirname, '..');
const unitOnly = process.argv.includes('--unit');
const filter = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function* tests(dir) {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (entry === 'node_modules') continue;
    if (statSync(p).isDirectory()) yield* tests(p);
    else if (entry.endsWith('.test.js') && !(unitOnly && entry.endsWith('.host.test.js'))) yield p;
  }
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dist = join(root, 'packages', pkg, 'dist');
  try {
    statSync(dist);
  } catch {
    continue;
  }
  if (unitOnly && pkg === 'tests') continue;
  files.push(...tests(dist));
}
const chosen = files
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort((a, b) => {
    // Unit tests first, integration tests (packages/tests) last.
    const ia = a.includes('/packages/tests/') ? 1 : 0;
    const ib = b.includes('/packages/tests/') ? 1 : 0;
    return ia - ib || a.localeCompare(b);
  });
if (chosen.length === 0) {
  console.error('run-tests: no test files found (did the build run?)');
  process.exit(1);
}
console.log(`run-tests: ${chosen.length} files`);
const args = [
  '--test',
  '--test-concurrency=1',
  '--test-reporter=spec',
  ...chosen.map((f) => relative(root, f)),
];
const res = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(res.status ?? 1);
