import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { proc } from '@polis/core';

test('the package ships no test code: no tests, fakes or fixtures in what npm packs', async () => {
  const pkg = join(import.meta.dirname, '..', '..');
  const out = await proc.run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: pkg });
  const [packed] = JSON.parse(out.stdout.toString()) as { files: { path: string }[] }[];
  const files = (packed?.files ?? []).map((f) => f.path);
  assert.ok(files.includes('dist/index.js'), `the library is packed: ${files.slice(0, 5).join(', ')}`);
  const testCode = files.filter((f) => /(^|\/)testing\/|\.test\.|test-util|test-fixtures/.test(f));
  assert.deepEqual(testCode, []);
});

test('no library module imports the test helpers (they are not shipped)', async () => {
  const src = join(import.meta.dirname, '..', '..', 'src');
  const offenders: string[] = [];
  for (const entry of await readdir(src, { recursive: true })) {
    if (!entry.endsWith('.ts') || entry.endsWith('.test.ts') || entry.startsWith('testing/')) continue;
    if (/from '[./]+\/testing\//.test(await readFile(join(src, entry), 'utf8'))) offenders.push(entry);
  }
  assert.deepEqual(offenders, []);
});
