import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';

/** `docker inspect` shows HostConfig.Mounts as `--mount` gave them, also after polisd restarts. */
describe('HostConfig.Mounts in inspect', () => {
  let d: TestDaemon;
  let host: string;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    host = mkdtempSync(join(tmpdir(), 'polis-mounts-'));
  });

  after(async () => {
    await d?.cleanup();
    rmSync(host, { recursive: true, force: true });
  });

  it('echoes --mount specs with Docker’s field names, before and after a daemon restart', async () => {
    ok(
      await d.docker([
        'create',
        '--name',
        'mounted',
        '--mount',
        'type=volume,source=mv,target=/data,readonly,volume-nocopy',
        '--mount',
        `type=bind,source=${host},target=/host,bind-propagation=rslave`,
        '--mount',
        'type=tmpfs,target=/scratch,tmpfs-size=1048576,tmpfs-mode=1770',
        '-v',
        'plain:/plain',
        'busybox',
        'true',
      ]),
    );
    const expected = [
      {
        Type: 'volume',
        Source: 'mv',
        Target: '/data',
        ReadOnly: true,
        // The docker CLI sends an empty DriverConfig; Docker echoes it, as it echoes all it was given.
        VolumeOptions: { NoCopy: true, DriverConfig: {} },
      },
      { Type: 'bind', Source: host, Target: '/host', BindOptions: { Propagation: 'rslave' } },
      { Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } },
    ];
    const read = async (): Promise<unknown> =>
      JSON.parse(ok(await d.docker(['inspect', '-f', '{{json .HostConfig.Mounts}}', 'mounted'])));
    assert.deepEqual(await read(), expected);
    // `-v` stays in Binds, as Docker keeps it.
    assert.equal(
      ok(await d.docker(['inspect', '-f', '{{json .HostConfig.Binds}}', 'mounted'])),
      '["plain:/plain"]',
    );
    await d.stopProcess();
    await d.startProcess();
    assert.deepEqual(await read(), expected);
    // A container made without --mount has no Mounts key at all (Go's omitempty).
    ok(await d.docker(['create', '--name', 'plain-one', 'busybox', 'true']));
    assert.equal(ok(await d.docker(['inspect', '-f', '{{json .HostConfig.Mounts}}', 'plain-one'])), 'null');
  });
});
