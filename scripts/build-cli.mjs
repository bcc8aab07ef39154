#!/usr/bin/env node
/**
 * Ships the `polis` CLI the way users get it (after `tsc -b`):
 *  1. build/polis.mjs, the CLI and everything it imports in one ESM file (esbuild), run by node;
 *  2. build/polis, a single executable compiled by Bun (`bun build --compile`) from the same compiled CLI,
 *     split in chunks so a command loads only its own code, and as bytecode so nothing is parsed at start
 *     (`polis --version` measured 0.39× of `node -e 0` this way, 0.55× compiled from the one-file bundle).
 * bin/polis runs the executable when it is newer than the bundle, the bundle when it is newer than the
 * compiled CLI (packages/cli/dist), and the compiled CLI otherwise. Skips what is already up to date;
 * POLIS_NO_COMPILE=1 stops after the bundle.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build');
const bundle = join(out, 'polis.mjs');
const exe = join(out, 'polis');
const entry = join(root, 'packages/cli/dist/main.js');
const bun = join(root, 'node_modules/@oven/bun-linux-x64-baseline/bin/bun');

/** The newest modification time of the compiled JavaScript the bundle is made of, and of this script. */
function newestInput() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const pkg of ['cli', 'sdk', 'core']) walk(join(root, 'packages', pkg, 'dist'));
  // A change to how the bundle is made makes it again too.
  return Math.max(newest, statSync(fileURLToPath(import.meta.url)).mtimeMs);
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : -1);

if (!existsSync(entry)) {
  console.error('build-cli: packages/cli/dist/main.js is missing; run `npx tsc -b` first');
  process.exit(1);
}
mkdirSync(out, { recursive: true });

if (mtime(bundle) < newestInput()) {
  const { build } = await import('esbuild');
  const tmp = `${bundle}.tmp`;
  await build({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    // The CLI never needs a native module; one showing up here is an import that should not be there.
    external: ['better-sqlite3'],
    // CommonJS dependencies (@grpc/grpc-js) call require() for Node's built-ins, which an ES module
    // does not have: give the bundle one.
    banner: {
      js: "import { createRequire as __polisRequire } from 'node:module'; const require = __polisRequire(import.meta.url);",
    },
  });
  renameSync(tmp, bundle);
  console.log('build-cli: build/polis.mjs');
}

function compile() {
  if (process.env.POLIS_NO_COMPILE === '1') return;
  if (!existsSync(bun)) {
    console.log('build-cli: bun is not installed (npm ci); bin/polis runs the bundle with node');
    return;
  }
  if (mtime(exe) >= mtime(bundle)) return;
  const tmp = `${exe}.tmp`;
  // A compiled Bun executable loads `.env` and `bunfig.toml` from the directory it runs in unless told
  // not to: a `.env` there would redirect `polis` (POLIS_HOST, DOCKER_HOST) and a bunfig.toml's `preload`
  // would run that directory's code in the CLI, which holds root-equivalent access to polisd.
  const args = [
    'build',
    '--compile',
    '--splitting',
    '--format=esm',
    '--bytecode',
    '--minify',
    '--no-compile-autoload-dotenv',
    '--no-compile-autoload-bunfig',
    '--no-compile-autoload-tsconfig',
    '--no-compile-autoload-package-json',
  ];
  const res = spawnSync(bun, [...args, entry, '--outfile', tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (res.status !== 0) {
    console.error(`build-cli: bun build --compile failed (status ${res.status}); bin/polis runs the bundle`);
    process.exit(1);
  }
  renameSync(tmp, exe);
  console.log('build-cli: build/polis');
}
compile();

// bin/polis takes a file only when it is newer than every .tsbuildinfo: a `tsc -b` that rewrote one
// without changing any JavaScript must not send it back to the slower forms.
const now = new Date();
for (const p of [bundle, exe]) if (existsSync(p)) utimesSync(p, now, now);
