import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secureJoin } from './securejoin.js';

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'securejoin-'));
  try {
    await mkdir(join(root, 'etc'));
    await mkdir(join(root, 'usr', 'lib'), { recursive: true });
    await fn(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('an absolute symlink resolves inside the root, not on the host', () =>
  withRoot(async (root) => {
    await symlink('/etc', join(root, 'a'));
    assert.equal(await secureJoin(root, '/a/passwd'), join(root, 'etc', 'passwd'));
  }));

test('a relative symlink climbing above the root stops at the root', () =>
  withRoot(async (root) => {
    await symlink('../../..', join(root, 'b'));
    assert.equal(await secureJoin(root, '/b'), root);
    assert.equal(await secureJoin(root, '/b/etc/shadow'), join(root, 'etc', 'shadow'));
  }));

test('.. in the path itself stops at the root', () =>
  withRoot(async (root) => {
    assert.equal(await secureJoin(root, '/../../../etc'), join(root, 'etc'));
    assert.equal(await secureJoin(root, 'usr/lib/../../x'), join(root, 'x'));
  }));

test('a chain of symlinks is followed inside the root; missing parts are kept', () =>
  withRoot(async (root) => {
    await symlink('/usr', join(root, 'c'));
    await symlink('c/lib', join(root, 'd'));
    assert.equal(await secureJoin(root, '/d/new/dir'), join(root, 'usr', 'lib', 'new', 'dir'));
  }));

test('a symlink loop is an error, not a hang', () =>
  withRoot(async (root) => {
    await symlink('/loop', join(root, 'loop'));
    await assert.rejects(secureJoin(root, '/loop/x'), { code: 'volume.invalid' });
  }));
