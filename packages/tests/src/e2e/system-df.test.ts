import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DiskUsageResponse } from '@polis/sdk';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';

const MB5 = 5 * 1024 * 1024;

/** Time phrases tick between two calls and change column widths: compare words, not spacing. */
function words(text: string): string[] {
  return text
    .replace(/(About an? \w+|Less than a second|\d+ \w+) ago/g, 'T ago')
    .replace(/Up (About an? \w+|Less than a second|\d+ \w+)/g, 'Up T')
    .split('\n')
    .map((l) =>
      l
        .trim()
        .split(/\s{2,}/)
        .join(' | '),
    );
}

describe('system df', () => {
  let d: TestDaemon;
  let imageSize = 0;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    imageSize = (await d.client.images.inspect('busybox')).Size;
    // 5 MiB in a volume, the same inode twice (a hard link counts once), then a container that holds it.
    ok(
      await d.polis([
        'run',
        '--rm',
        '-v',
        'big:/data',
        'busybox',
        'sh',
        '-c',
        'dd if=/dev/zero of=/data/f bs=1048576 count=5 2>/dev/null && ln /data/f /data/g && ln -s f /data/l',
      ]),
    );
    ok(await d.polis(['run', '-d', '--name', 'holder', '-v', 'big:/data', 'busybox', 'sleep', '600']));
    // 1,000,000 bytes in a container's own writable layer; it exits.
    ok(
      await d.polis([
        'run',
        '--name',
        'writer',
        'busybox',
        'dd',
        'if=/dev/zero',
        'of=/blob',
        'bs=1000',
        'count=1000',
      ]),
    );
    ok(await d.polis(['volume', 'create', 'idle']));
  });

  after(async () => {
    await d?.cleanup();
  });

  it('GET /system/df gives real sizes in Docker’s shape', async (t) => {
    const started = Date.now();
    const du: DiskUsageResponse = await d.client.df();
    t.diagnostic(`GET /system/df took ${Date.now() - started} ms`);
    assert.deepEqual(du.BuildCache, []);
    assert.equal(du.LayersSize, imageSize);
    assert.equal(du.Images?.length, 1);
    assert.equal(du.Images?.[0]?.Containers, 2);
    assert.equal(du.Images?.[0]?.SharedSize, 0);
    assert.equal(du.Images?.[0]?.Size, imageSize);
    const big = du.Volumes?.find((v) => v.Name === 'big');
    // The data plus the symlink's one byte ("f"); the hard link is not counted twice.
    assert.deepEqual(big?.UsageData, { Size: MB5 + 1, RefCount: 1 });
    assert.deepEqual(du.Volumes?.find((v) => v.Name === 'idle')?.UsageData, { Size: 0, RefCount: 0 });
    const writer = du.Containers?.find((c) => c.Names[0] === '/writer');
    assert.ok(
      writer?.SizeRw !== undefined && writer.SizeRw >= 1_000_000 && writer.SizeRw < 1_064_000,
      `${writer?.SizeRw}`,
    );
    assert.equal(writer?.SizeRootFs, (writer?.SizeRw ?? 0) + imageSize);
    const holder = du.Containers?.find((c) => c.Names[0] === '/holder');
    assert.equal(holder?.State, 'running');
    assert.ok((holder?.SizeRw ?? -1) < 64_000, 'the volume is not counted in the container');
  });

  it('polis system df prints the table docker prints, with the same numbers', async () => {
    const polis = ok(await d.polis(['system', 'df']));
    const rows = lines(polis);
    assert.match(rows[0]!, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
    assert.match(rows[1]!, /^Images\s+1\s+1\s+\S+\s+0B \(0%\)$/);
    assert.match(rows[2]!, /^Containers\s+2\s+1\s+1(\.0\d*)?MB\s+1(\.0\d*)?MB \(\d+%\)$/);
    assert.match(rows[3]!, /^Local Volumes\s+2\s+1\s+5\.243MB\s+0B \(0%\)$/);
    assert.match(rows[4]!, /^Build Cache\s+0\s+0\s+0B\s+0B$/);
    const docker = ok(await d.docker(['system', 'df']));
    assert.equal(polis, docker);
  });

  it('polis system df -v prints docker’s detailed sections', async () => {
    const polis = ok(await d.polis(['system', 'df', '-v']));
    assert.match(
      polis,
      /^Images space usage:\n\nREPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\s+SHARED SIZE\s+UNIQUE SIZE\s+CONTAINERS\nbusybox\s+latest\s+[0-9a-f]{12}\s/,
    );
    assert.match(
      polis,
      /\nLocal Volumes space usage:\n\nVOLUME NAME\s+LINKS\s+SIZE\nbig\s+1\s+5\.243MB\nidle\s+0\s+0B\n/,
    );
    assert.match(
      polis,
      /\nBuild cache usage: 0B\n\nCACHE ID\s+CACHE TYPE\s+SIZE\s+CREATED\s+LAST USED\s+USAGE\s+SHARED$/,
    );
    const docker = ok(await d.docker(['system', 'df', '-v']));
    assert.deepEqual(words(polis), words(docker));
  });
});
