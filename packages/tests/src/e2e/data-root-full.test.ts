import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { runCommand } from '../harness/run.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The data root on a 20 MB tmpfs: a container that fills it still gets its real exit code recorded
 * (conmon writes everything an exit needs on the exec root; polisd keeps the exit in memory and its
 * exit file until the database can save it), and nothing is lost once space is freed.
 */
describe('a container that fills the data root', () => {
  let d: TestDaemon;
  const inspect = async (ref: string, format: string): Promise<string> =>
    ok(await d.polis(['inspect', '-f', format, ref]), `inspect ${ref}`);
  /** Frees the data root as an administrator would: deletes the file the container wrote. */
  const freeSpace = async (): Promise<void> => {
    const found = lines((await runCommand('find', [d.dataRoot, '-name', 'big', '-type', 'f'])).stdout);
    assert.ok(found.length > 0, 'the filler file is on the data root');
    for (const f of found) await rm(f);
  };

  before(async () => {
    d = await TestDaemon.start({ dataRootTmpfs: '20m' });
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('wait and inspect give its own code; once space is freed the exit is saved for good', async () => {
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'filler',
        'busybox',
        'sh',
        '-c',
        'dd if=/dev/zero of=/big bs=1M count=64; sleep 1; exit 7',
      ]),
    );
    const waited = await d.polis(['wait', 'filler'], { timeoutMs: 30_000 });
    assert.equal(waited.stdout.trim(), '7', `wait: code ${waited.code} ${waited.stderr}`);
    assert.equal(await inspect('filler', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 7');
    await freeSpace();
    await sleep(3000);
    // Saved, not only known in memory: a crashed and restarted polisd still knows the code.
    await d.stopProcess('SIGKILL');
    await d.startProcess();
    assert.equal(await inspect('filler', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 7');
    ok(await d.polis(['rm', 'filler']), 'rm');
    const again = await d.polis(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3'], { timeoutMs: 30_000 });
    assert.equal(again.code, 3, again.stderr);
  });

  it('docker run of a container that fills it returns the container exit code', async () => {
    const res = await d.docker(
      [
        'run',
        '--name',
        'filler2',
        'busybox',
        'sh',
        '-c',
        'dd if=/dev/zero of=/big bs=1M count=64 2>/dev/null; exit 5',
      ],
      { timeoutMs: 30_000 },
    );
    assert.equal(res.code, 5, res.stderr);
    await freeSpace();
    await sleep(2500);
    ok(await d.polis(['rm', 'filler2']), 'rm');
  });
});
