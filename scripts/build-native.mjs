#!/usr/bin/env node
/**
 * Builds polis-spawn (packages/core/native/spawn-helper.c), the small process polisd forks its short
 * commands from (see packages/core/src/proc/helper.ts). Skipped when it is up to date; without a C
 * compiler it says so and polisd forks from Node, as it did before the helper.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'packages/core/native/spawn-helper.c');
const out = join(root, 'packages/core/native/polis-spawn');
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : -1);

if (mtime(out) >= Math.max(mtime(source), statSync(fileURLToPath(import.meta.url)).mtimeMs)) process.exit(0);
const cc = ['cc', 'gcc'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
if (!cc) {
  console.log('build-native: no C compiler (apt install gcc libc6-dev): polisd forks its commands from Node');
  process.exit(0);
}
const tmp = `${out}.tmp`;
const res = spawnSync(cc, ['-O2', '-Wall', '-Wextra', '-std=c11', '-o', tmp, source], { stdio: 'inherit' });
if (res.status !== 0) {
  console.error(`build-native: ${cc} failed (status ${res.status})`);
  process.exit(1);
}
renameSync(tmp, out);
console.log('build-native: packages/core/native/polis-spawn');
