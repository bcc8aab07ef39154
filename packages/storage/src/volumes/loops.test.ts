import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLosetup } from './loops.js';

test('losetup --json --list: devices and their backing files, deleted marks dropped', () => {
  const json = JSON.stringify({
    loopdevices: [
      { name: '/dev/loop0', 'back-file': '/var/lib/polis/volumes/a b/disk.img', autoclear: true },
      { name: '/dev/loop1', 'back-file': '/tmp/x/disk.img (deleted)' },
      { name: '/dev/loop2', 'back-file': null },
    ],
  });
  assert.deepEqual(parseLosetup(json), [
    { name: '/dev/loop0', file: '/var/lib/polis/volumes/a b/disk.img' },
    { name: '/dev/loop1', file: '/tmp/x/disk.img' },
  ]);
  assert.deepEqual(parseLosetup(''), []);
});
