import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMountFlag } from './mount-flag.js';

test('--mount keys become a HostConfig.Mounts entry as the docker CLI builds it', () => {
  assert.deepEqual(parseMountFlag('source=data,target=/data'), {
    Type: 'volume',
    Source: 'data',
    Target: '/data',
  });
  assert.deepEqual(
    parseMountFlag('type=volume,src=v,dst=/v,readonly,volume-nocopy,volume-opt=o=x=y,volume-label=a=b'),
    {
      Type: 'volume',
      Source: 'v',
      Target: '/v',
      ReadOnly: true,
      VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Options: { o: 'x=y' } } },
    },
  );
  assert.deepEqual(parseMountFlag('type=bind,src=/h,dst=/c,ro=false,bind-propagation=rshared'), {
    Type: 'bind',
    Source: '/h',
    Target: '/c',
    ReadOnly: false,
    BindOptions: { Propagation: 'rshared' },
  });
  assert.deepEqual(parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770'), {
    Type: 'tmpfs',
    Target: '/t',
    TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1770 },
  });
});

test('bad --mount fields are refused in docker words', () => {
  assert.throws(() => parseMountFlag('type=volume,src=v'), /target is required/);
  assert.throws(() => parseMountFlag('type=volume,bogus=1,dst=/x'), /unexpected key 'bogus' in 'bogus=1'/);
  assert.throws(() => parseMountFlag('src,dst=/x'), /invalid field 'src' must be a key=value pair/);
});
