import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closePipe, pipes, type PipeFds } from './pipes.js';
import { start, waitFor } from './run.js';

test('a pipe from pipes() ends at EOF once its one writer closes, and leaves no FIFO behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'polis-pipes-'));
  try {
    const [p] = (await pipes(dir, 1)) as [PipeFds];
    const child = start('cat', [], { stdio: [p.read, 'pipe', 'ignore'] });
    closePipe({ read: p.read, write: -1 });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    writeSync(p.write, 'hello');
    closePipe({ read: -1, write: p.write });
    await waitFor(child, 'cat', []);
    assert.equal(out, 'hello');
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
