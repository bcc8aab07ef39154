import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';

/** Unix seconds now, the way `--since`/`--until` take them. */
const unixNow = (): string => (Date.now() / 1000).toFixed(3);

/** Small defects a reader found (issue 9, item 13), seen from the outside. */
describe('house', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('the restart event carries the container labels, as every other container event', async () => {
    ok(await d.polis(['run', '-d', '--name', 'relabel', '-l', 'team=blue', 'busybox', 'sleep', '300']));
    const since = unixNow();
    ok(await d.polis(['restart', '-t', '0', 'relabel']));
    const until = unixNow();
    const format = '{{.Action}} {{index .Actor.Attributes "team"}}';
    const args = ['events', '--since', since, '--until', until, '--filter', 'container=relabel'];
    const seen = lines(ok(await d.polis([...args, '--format', format])));
    await d.polis(['rm', '-f', 'relabel']);
    assert.ok(seen.includes('restart blue'), JSON.stringify(seen));
    assert.ok(seen.includes('start blue'), JSON.stringify(seen));
  });

  it("busybox's / is 0755 inside the container, so a non-root user can run commands", async () => {
    const res = await d.polis(['run', '--rm', '-u', '65534', 'busybox', 'stat', '-c', '%a', '/']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), '755');
  });
});
