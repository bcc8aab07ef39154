import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DASHBOARD_ASSETS, assetPath, readAsset } from './static.js';

const root = mkdtempSync(join(tmpdir(), 'polis-dash-'));
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'index.html'), '<p>hi</p>');
writeFileSync(join(root, 'assets', 'a.js'), 'x');
writeFileSync(join(root, '.secret.js'), 'no');
after(() => rmSync(root, { recursive: true, force: true }));

test('the page and its files are found under the root', async () => {
  assert.equal(assetPath(root, ''), join(root, 'index.html'));
  assert.equal(assetPath(root, 'assets/a.js'), join(root, 'assets', 'a.js'));
  const page = await readAsset(root, 'index.html');
  assert.equal(page?.type, 'text/html; charset=utf-8');
  assert.equal(page?.body.toString(), '<p>hi</p>');
});

test('no path escapes the root: dot-dot, encoded, absolute, backslash, NUL', async () => {
  for (const bad of [
    '../../etc/passwd',
    '../../../../../../etc/passwd',
    '%2e%2e/%2e%2e/etc/passwd',
    '..%2f..%2fetc%2fpasswd',
    'assets/../../x.html',
    '/etc/passwd',
    '%2fetc%2fpasswd',
    '..\\..\\etc\\passwd',
    'index.html%00.js',
    '%E0%A4%A',
  ]) {
    assert.equal(assetPath(root, bad), undefined, bad);
    assert.equal(await readAsset(root, bad), undefined, bad);
  }
});

test('hidden files, unknown types and missing files are not served', async () => {
  assert.equal(assetPath(root, '.secret.js'), undefined);
  assert.equal(assetPath(root, 'assets/passwd'), undefined);
  assert.equal(await readAsset(root, 'nope.js'), undefined);
});

test('the shipped page is where the server looks for it', async () => {
  for (const f of ['index.html', 'app.js', 'app.css']) assert.ok(await readAsset(DASHBOARD_ASSETS, f), f);
});
