#!/usr/bin/env node
// Checks that @polis packages import only what DESIGN.md §1 allows, and that the graph has no cycle.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const allowed = {
  core: [],
  security: ['core'],
  network: ['core'],
  storage: ['core'],
  image: ['core'],
  runtime: ['core', 'image', 'security', 'network', 'storage'],
  monitor: ['core', 'runtime'],
  orchestrator: ['core', 'runtime', 'network', 'monitor'],
  api: ['core', 'security', 'network', 'storage', 'image', 'runtime', 'monitor', 'orchestrator'],
  sdk: ['core'],
  cli: ['core', 'sdk'],
  tests: null, // anything
};

const root = join(import.meta.dirname, '..', 'packages');
const problems = [];
const edges = {};

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (/\.(ts|mts|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts')) yield p;
  }
}

for (const pkg of readdirSync(root)) {
  if (!(pkg in allowed)) {
    problems.push(`packages/${pkg}: not a package of DESIGN.md §1`);
    continue;
  }
  const manifest = JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8'));
  const deps = new Set(
    Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
      .filter((d) => d.startsWith('@polis/'))
      .map((d) => d.slice('@polis/'.length)),
  );
  const src = join(root, pkg, 'src');
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"]@polis\/([a-z-]+)/g)) {
      const dep = m[1];
      if (dep === pkg) problems.push(`${file}: imports its own package by name`);
      else deps.add(dep);
    }
  }
  edges[pkg] = [...deps];
  const ok = allowed[pkg];
  if (ok)
    for (const dep of deps)
      if (!ok.includes(dep)) problems.push(`@polis/${pkg} may not depend on @polis/${dep}`);
}

// Cycle check over the edges actually present.
const state = {};
function visit(node, path) {
  if (state[node] === 'done') return;
  if (state[node] === 'active') {
    problems.push(`cycle: ${[...path, node].join(' → ')}`);
    return;
  }
  state[node] = 'active';
  for (const next of edges[node] ?? []) visit(next, [...path, node]);
  state[node] = 'done';
}
for (const node of Object.keys(edges)) visit(node, []);

if (problems.length) {
  for (const p of problems) console.error(`check-deps: ${p}`);
  process.exit(1);
}
console.log(`check-deps: ${Object.keys(edges).length} packages, edges allowed, no cycles`);
