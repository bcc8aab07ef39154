import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proc } from '@polis/core';
import { busyboxRootfsTar } from './busybox-rootfs.js';

test("the busybox rootfs's / is 0755 and /tmp 1777, so users other than root can walk it", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'polis-busybox-test-'));
  try {
    const tarPath = await busyboxRootfsTar(join(dir, 'busybox.tar'));
    const { stdout } = await proc.run('tar', ['-tvf', tarPath]);
    const modeOf = (name: string): string | undefined =>
      stdout
        .split('\n')
        .find((l) => l.trim().endsWith(` ${name}`))
        ?.split(' ')[0];
    assert.equal(modeOf('./'), 'drwxr-xr-x');
    assert.equal(modeOf('./tmp/'), 'drwxrwxrwt');
    assert.equal(modeOf('./root/'), 'drwx------');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
