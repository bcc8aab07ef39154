import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('a start that fails for another reason than the command is not called "command not found"', async () => {
    // The runtime's message here says "No such file or directory" about the mount, not the command.
    const gone = await mkdtemp(join(tmpdir(), 'polis-house-bind-'));
    ok(await d.polis(['create', '--name', 'lostbind', '-v', `${gone}:/data`, 'busybox', 'true']));
    await rm(gone, { recursive: true, force: true });
    const res = await d.polis(['start', 'lostbind']);
    const state = ok(await d.polis(['inspect', '-f', '{{.State.ExitCode}}|{{.State.Error}}', 'lostbind']));
    await d.polis(['rm', '-f', 'lostbind']);
    assert.notEqual(res.code, 0);
    assert.doesNotMatch(res.stderr, /executable file not found|permission denied/, res.stderr);
    assert.equal(state.split('|')[0], '128', state);
  });

  it("exec of a missing command exits 127, of a directory 126, with the runtime's words", async () => {
    ok(await d.polis(['run', '-d', '--name', 'execs', 'busybox', 'sleep', '300']));
    const missing = await d.polis(['exec', 'execs', 'nosuchcommand']);
    const directory = await d.polis(['exec', 'execs', '/etc']);
    await d.polis(['rm', '-f', 'execs']);
    assert.equal(missing.code, 127, missing.stderr);
    assert.equal(directory.code, 126, directory.stderr);
  });
});
