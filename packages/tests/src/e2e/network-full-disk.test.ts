import assert from 'node:assert/strict';
import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { runCommand } from '../harness/run.js';

/**
 * `network create` with the data root (and so polis.db) on a small tmpfs that is all but full: each
 * create either works or fails leaving nothing, and once space is back every failed name can be made.
 */
describe('network create on a full data root', () => {
  let d: TestDaemon;
  const second = (): number => 100 + (process.pid % 100);
  const fill = (): string => join(d.dataRoot, 'fill');
  /** Fills the data root up to `kib` KiB of free space. */
  const leave = (kib: number): void => {
    rmSync(fill(), { force: true });
    const fs = statfsSync(d.dataRoot);
    const size = fs.bavail * fs.bsize - kib * 1024;
    if (size > 0) writeFileSync(fill(), Buffer.alloc(size));
  };
  const names = async (): Promise<string[]> =>
    lines(ok(await d.polis(['network', 'ls', '--format', '{{.Name}}'])));

  before(async () => {
    // Pools of its own (256 /24s), so other suites' bridges running in parallel cannot exhaust the
    // 31 default pools between a failed create and its retry.
    d = await TestDaemon.start({
      extraArgs: ['--default-address-pool', `base=10.${second()}.0.0/16,size=24`],
    });
    // A fresh daemon on a tmpfs data root: cleanup's unmount of what lies under the data root takes it away.
    await d.stopProcess();
    const mounted = await runCommand('mount', [
      '-t',
      'tmpfs',
      '-o',
      'size=8m,mode=0711',
      'tmpfs',
      d.dataRoot,
    ]);
    assert.equal(mounted.code, 0, mounted.stderr);
    await d.startProcess();
  });
  after(async () => {
    rmSync(join(d?.dataRoot ?? '/nonexistent', 'fill'), { force: true });
    await d?.cleanup();
  });

  it('a create that fails leaves no network behind, and the retry after freeing space works', async (t) => {
    const failed: string[] = [];
    const made: string[] = [];
    // The exact point where SQLite runs out depends on its pages and WAL, so try a range of free space.
    for (let kib = 0; kib <= 64; kib += 4) {
      const name = `full${kib}`;
      leave(kib);
      const res = await d.polis(['network', 'create', name]);
      if (res.code === 0) {
        made.push(name);
        continue;
      }
      failed.push(name);
      assert.match(res.stderr, /full|space/i, res.stderr);
      assert.ok(!(await names()).includes(name), `${name} failed (${res.stderr.trim()}) but exists`);
    }
    t.diagnostic(`made ${made.join(' ')}; failed ${failed.join(' ')}`);
    assert.ok(failed.length > 0, 'some creates ran out of space');
    rmSync(fill(), { force: true });
    for (const name of failed) ok(await d.polis(['network', 'create', name]), `retry of ${name}`);
    const listed = await names();
    for (const name of [...made, ...failed]) {
      assert.equal(listed.filter((n) => n === name).length, 1, `${name} once in ${listed.join(' ')}`);
    }
    const subnets = lines(
      ok(
        await d.polis([
          'network',
          'inspect',
          '--format',
          '{{range .IPAM.Config}}{{.Subnet}}{{end}}',
          ...failed,
        ]),
      ),
    );
    for (const subnet of subnets) assert.match(subnet, new RegExp(`^10\\.${second()}\\.\\d+\\.0/24$`));
  });
});
