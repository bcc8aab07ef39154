import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { proc } from '@polis/core';
import { REPO_ROOT } from '../harness/paths.js';

/** The library packages (packages/tests is only tests). */
async function libraries(): Promise<string[]> {
  const all = await readdir(join(REPO_ROOT, 'packages'));
  return all.filter((p) => p !== 'tests').sort();
}

test('no package ships test code: no tests, fakes or fixtures in what npm packs', async () => {
  const out = await proc.run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--workspaces'], {
    cwd: REPO_ROOT,
  });
  const packed = JSON.parse(out.stdout) as { name: string; files: { path: string }[] }[];
  const wanted = (await libraries()).map((p) => `@polis/${p}`);
  for (const name of wanted) {
    const files = packed.find((p) => p.name === name)?.files.map((f) => f.path) ?? [];
    assert.ok(files.includes('dist/index.js'), `${name} packs its library`);
    const testCode = files.filter((f) => /(^|\/)testing\/|\.test\.|tsbuildinfo/.test(f));
    assert.deepEqual(testCode, [], `${name} packs test code`);
  }
});

test('no library module imports the test helpers under src/testing/', async () => {
  const offenders: string[] = [];
  for (const pkg of await libraries()) {
    const src = join(REPO_ROOT, 'packages', pkg, 'src');
    for (const entry of await readdir(src, { recursive: true })) {
      if (!entry.endsWith('.ts') || entry.endsWith('.test.ts') || entry.startsWith('testing/')) continue;
      const text = await readFile(join(src, entry), 'utf8');
      if (/from '(\.\.?\/)+(\w+\/)*testing\//.test(text)) offenders.push(`${pkg}/src/${entry}`);
    }
  }
  assert.deepEqual(offenders, []);
});
