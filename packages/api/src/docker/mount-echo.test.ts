import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { specFromCreateBody } from './create-body.js';
import { hostConfigOf } from './host-config.js';
import type { ContainerRecord } from '@polis/core';

describe('HostConfig.Mounts echo', () => {
  const given = [
    { Type: 'volume', Source: 'data', Target: '/data', ReadOnly: true, VolumeOptions: { NoCopy: true } },
    {
      Type: 'bind',
      Source: '/tmp',
      Target: '/host',
      ReadOnly: false,
      Consistency: '',
      BindOptions: { Propagation: 'rslave' },
      Unknown: 1,
    },
    { Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } },
    { Type: 'volume', Target: '/anon', VolumeOptions: { DriverConfig: { Name: 'local', Options: {} } } },
  ];

  it('keeps the entries as given, with Go’s zero values and unknown keys left out', () => {
    const spec = specFromCreateBody({ Image: 'busybox', HostConfig: { Mounts: given } });
    assert.deepEqual(spec.storage.givenMounts, [
      { Type: 'volume', Source: 'data', Target: '/data', ReadOnly: true, VolumeOptions: { NoCopy: true } },
      { Type: 'bind', Source: '/tmp', Target: '/host', BindOptions: { Propagation: 'rslave' } },
      { Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } },
      { Type: 'volume', Target: '/anon', VolumeOptions: { DriverConfig: { Name: 'local' } } },
    ]);
    const host = hostConfigOf({ spec, runtime: 'crun' } as unknown as ContainerRecord);
    assert.deepEqual(host.Mounts, spec.storage.givenMounts);
  });

  it('leaves Mounts out when none were given, as Docker’s omitempty does', () => {
    const spec = specFromCreateBody({ Image: 'busybox', HostConfig: { Binds: ['/tmp:/x'] } });
    assert.equal(spec.storage.givenMounts, undefined);
    assert.equal('Mounts' in hostConfigOf({ spec, runtime: 'crun' } as unknown as ContainerRecord), false);
  });
});
