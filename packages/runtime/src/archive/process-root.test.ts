import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { test } from 'node:test';
import { extract as tarExtract } from 'tar-stream';
import { isPolisError } from '@polis/core';
import { ConfinedRoot } from './confined.js';
import { inContainerCgroup, openProcessRoot } from './process-root.js';
import { tarEntry } from './tar-out.js';

const ID = 'a'.repeat(64);

test("a process counts as the container's only in its own cgroup (v2, v1) or below it", () => {
  assert.equal(inContainerCgroup(`0::/polis/${ID}\n`, `/polis/${ID}`), true);
  assert.equal(inContainerCgroup(`12:pids:/polis/${ID}\n11:memory:/polis/${ID}\n`, `/polis/${ID}`), true);
  assert.equal(inContainerCgroup(`0::/polis/${ID}/sub\n`, `/polis/${ID}`), true);
  assert.equal(inContainerCgroup(`0::/polis/${ID}x\n`, `/polis/${ID}`), false);
  assert.equal(inContainerCgroup('0::/user.slice/session-1.scope\n', `/polis/${ID}`), false);
  assert.equal(inContainerCgroup(`4:memory:/ci/${ID}\n`, `/ci/${ID}`), true, 'under a --cgroup-parent');
  assert.equal(
    inContainerCgroup(`0::/system.slice/polis-${ID}.scope\n`, `/system.slice/polis-${ID}.scope`),
    true,
  );
  assert.equal(inContainerCgroup(`0::/other/polis/${ID}\n`, `/polis/${ID}`), false);
});

test("a pid that is not the container's (or no pid) never hands out a root", async () => {
  assert.equal(
    await openProcessRoot(process.pid, `/polis/${ID}`),
    undefined,
    'this process is in no container cgroup',
  );
  assert.equal(await openProcessRoot(0, `/polis/${ID}`), undefined);
  assert.equal(await openProcessRoot(2 ** 22 + 1, `/polis/${ID}`), undefined, 'no such pid');
});

test("a process's view shows kernel file systems as empty directories and refuses paths in them", async () => {
  // The host's own root stands in for a container's view: /proc is procfs there too.
  const handle = await open('/', constants.O_RDONLY | constants.O_DIRECTORY);
  const root = ConfinedRoot.fromProcessRoot(handle);
  try {
    await assert.rejects(root.resolve('/proc/self/status'), (e) => isPolisError(e, 'archive.path_not_found'));
    await assert.rejects(root.resolve('/sys/kernel'), (e) => isPolisError(e, 'archive.path_not_found'));
    const proc = await root.resolve('/proc');
    assert.ok(proc.stat?.isDirectory());
    const names: string[] = [];
    const extract = tarExtract();
    extract.on('entry', (h, stream, next) => {
      names.push(h.name);
      stream.resume();
      stream.on('end', next);
    });
    const finished = new Promise<void>((resolve, reject) => {
      extract.on('finish', () => resolve());
      extract.on('error', reject);
    });
    tarEntry(root, { ...proc, stat: proc.stat! }, 'proc').pipe(extract);
    await finished;
    assert.deepEqual(names, ['proc/']);
    await root.done(proc);
  } finally {
    await root.close();
  }
});
