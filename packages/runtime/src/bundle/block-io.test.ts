import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceNumbers, statBlockDevice, withBlockIO } from './block-io.js';

test('device numbers decode as glibc does, small and large', () => {
  assert.deepEqual(deviceNumbers(254 * 256), { major: 254, minor: 0 });
  assert.deepEqual(deviceNumbers((8 << 8) | 17), { major: 8, minor: 17 });
  // major 259, minor 300: minor's high bits sit above bit 20.
  const rdev = (259 << 8) | (300 & 0xff) | ((300 & ~0xff) << 12);
  assert.deepEqual(deviceNumbers(rdev), { major: 259, minor: 300 });
});

test('per-device weights and throttles are resolved to device numbers; the weight is kept', () => {
  const stat = (path: string) => (path === '/dev/a' ? { major: 8, minor: 0 } : { major: 8, minor: 16 });
  const spec = withBlockIO(
    {
      ulimits: [],
      blkioWeightDevice: [{ path: '/dev/a', value: 200 }],
      blkioDeviceReadBps: [{ path: '/dev/b', value: 1048576 }],
      blkioDeviceWriteIOps: [{ path: '/dev/a', value: 10 }],
    },
    stat,
  )({ ociVersion: '1.0.2', linux: { resources: { blockIO: { weight: 300 } } } });
  assert.deepEqual(spec.linux?.resources?.blockIO, {
    weight: 300,
    weightDevice: [{ major: 8, minor: 0, weight: 200 }],
    throttleReadBpsDevice: [{ major: 8, minor: 16, rate: 1048576 }],
    throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 10 }],
  });
});

test('a path that is not a block device is refused', () => {
  assert.throws(() => statBlockDevice('/dev/null'), {
    code: 'request.invalid',
    message: /not a block device/,
  });
  assert.throws(() => statBlockDevice('/dev/nosuch'), { code: 'request.invalid' });
});
