import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prepareCopy, renameTransform, splitCpArg, splitPathDirEntry } from './paths.js';

test("cp arguments split as docker's splitCpArg", () => {
  assert.deepEqual(splitCpArg('web:/etc/hosts'), { container: 'web', path: '/etc/hosts' });
  assert.deepEqual(splitCpArg('/abs:odd'), { path: '/abs:odd' });
  assert.deepEqual(splitCpArg('./file:name'), { path: './file:name' });
  assert.deepEqual(splitCpArg('local'), { path: 'local' });
  assert.deepEqual(splitCpArg('-'), { path: '-' });
});

test('paths split into directory and entry as docker does', () => {
  assert.deepEqual(splitPathDirEntry('/a/b'), ['/a', 'b']);
  assert.deepEqual(splitPathDirEntry('/a/b/'), ['/a', 'b']);
  assert.deepEqual(splitPathDirEntry('/a/b/.'), ['/a/b', '.']);
  assert.deepEqual(splitPathDirEntry('/a'), ['/', 'a']);
});

test('the copy plan follows PrepareArchiveCopy', () => {
  assert.deepEqual(prepareCopy({ isDir: false, base: 'f' }, { path: '/d', exists: true, isDir: true }), {
    dir: '/d',
  });
  assert.deepEqual(prepareCopy({ isDir: true, base: 'x' }, { path: '/f', exists: true, isDir: false }), {
    error: 'cannot copy directory',
  });
  assert.deepEqual(prepareCopy({ isDir: true, base: 'x' }, { path: '/new', exists: false, isDir: false }), {
    dir: '/',
    rename: ['x', 'new'],
  });
  assert.deepEqual(prepareCopy({ isDir: false, base: 'f' }, { path: '/new/', exists: false, isDir: false }), {
    error: 'no such directory',
  });
});

test('the rename is anchored on the first component and escapes sed', () => {
  assert.equal(renameTransform('a.b', 'c&d'), 's|^a\\.b\\(/\\|$\\)|c\\&d\\1|S');
});
