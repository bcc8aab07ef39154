import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localMountOptions, mountArgs } from './local-options.js';

test('no options: a plain directory', () => {
  assert.equal(localMountOptions('v', {}), undefined);
});

test('tmpfs and bind options become mount(8) arguments', () => {
  const tmpfs = localMountOptions('v', { type: 'tmpfs', device: 'tmpfs', o: 'size=64m' });
  assert.deepEqual(mountArgs(tmpfs!, '/d'), ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', '/d']);
  const bind = localMountOptions('v', { type: 'none', device: '/srv', o: 'bind' });
  assert.deepEqual(mountArgs(bind!, '/d'), ['-o', 'bind', '/srv', '/d']);
});

test("bad options are refused in Docker's words", () => {
  assert.throws(() => localMountOptions('v', { foo: 'x' }), {
    message: 'create v: invalid option key: "foo"',
  });
  assert.throws(() => localMountOptions('v', { type: 'tmpfs' }), {
    message: 'create v: missing required option: "device"',
  });
  assert.throws(() => localMountOptions('v', { o: 'size=1m', device: 'tmpfs' }), {
    message: 'create v: missing required option: "type"',
  });
  assert.throws(() => localMountOptions('v', { size: '10m' }), /quota size requested but no quota support/);
  assert.throws(() => localMountOptions('v', { type: 'none', device: '/srv' }), /needs o=bind/);
});
