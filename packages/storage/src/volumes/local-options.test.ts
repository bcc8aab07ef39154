import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localVolumeKind, mountArgs, type LocalMountOptions } from './local-options.js';

const mountOf = (options: Record<string, string>): LocalMountOptions => {
  const kind = localVolumeKind('v', options);
  assert.equal(kind.kind, 'mount');
  return (kind as { mount: LocalMountOptions }).mount;
};

test('no options: a plain directory', () => {
  assert.deepEqual(localVolumeKind('v', {}), { kind: 'plain' });
});

test('tmpfs and bind options become mount(8) arguments', () => {
  const tmpfs = mountOf({ type: 'tmpfs', device: 'tmpfs', o: 'size=64m' });
  assert.deepEqual(mountArgs(tmpfs, '/d'), ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', '/d']);
  const bind = mountOf({ type: 'none', device: '/srv', o: 'bind' });
  assert.deepEqual(mountArgs(bind, '/d'), ['-o', 'bind', '/srv', '/d']);
});

test("size is read in Docker's units (RAMInBytes)", () => {
  assert.deepEqual(localVolumeKind('v', { size: '100m' }), { kind: 'sized', bytes: 100 * 1024 ** 2 });
  assert.deepEqual(localVolumeKind('v', { size: '1g' }), { kind: 'sized', bytes: 1024 ** 3 });
  assert.deepEqual(localVolumeKind('v', { size: '2097152' }), { kind: 'sized', bytes: 2097152 });
  assert.deepEqual(localVolumeKind('v', { size: '1.5MiB' }), { kind: 'sized', bytes: 1.5 * 1024 ** 2 });
});

test('a bad, tiny or combined size is refused', () => {
  assert.throws(() => localVolumeKind('v', { size: 'lots' }), {
    code: 'volume.invalid',
    message: "create v: invalid size: 'lots'",
  });
  assert.throws(() => localVolumeKind('v', { size: '512k' }), {
    code: 'volume.invalid',
    message: 'create v: size 512k is below the minimum of 1m',
  });
  assert.throws(() => localVolumeKind('v', { size: '10m', type: 'tmpfs', device: 'tmpfs' }), {
    code: 'volume.invalid',
    message: /size cannot be combined with type, device or o \(a tmpfs takes o=size=\)/,
  });
});

test("bad options are refused in Docker's words", () => {
  assert.throws(() => localVolumeKind('v', { foo: 'x' }), {
    message: 'create v: invalid option key: "foo"',
  });
  assert.throws(() => localVolumeKind('v', { type: 'tmpfs' }), {
    message: 'create v: missing required option: "device"',
  });
  assert.throws(() => localVolumeKind('v', { o: 'size=1m', device: 'tmpfs' }), {
    message: 'create v: missing required option: "type"',
  });
  assert.throws(() => localVolumeKind('v', { type: 'none', device: '/srv' }), /needs o=bind/);
});
