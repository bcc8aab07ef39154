import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { proc } from '@polis/core';
import { withTempDir } from '../testing/temp-dir.js';
import { pump } from './digest-pump.js';

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('a reader that stops early does not stop the hash: every byte written is counted', () =>
  withTempDir('pump', async (dir) => {
    const [from, to] = (await proc.pipes(dir, 2)) as [proc.PipeFds, proc.PipeFds];
    const data = randomBytes(3 * 1024 * 1024);
    const writer = proc.start('cat', [], { stdio: ['pipe', from.write, 'ignore'] });
    const reader = proc.start('sh', ['-c', 'head -c 1000 | wc -c'], { stdio: [to.read, 'pipe', 'ignore'] });
    proc.closePipe({ read: to.read, write: from.write });
    const copied = pump(from.read, to.write);
    writer.stdin?.end(data);
    let counted = '';
    reader.stdout?.on('data', (c: Buffer) => (counted += c.toString()));
    await Promise.all([proc.waitFor(writer, 'cat', []), proc.waitFor(reader, 'sh', [])]);
    assert.equal(counted.trim(), '1000', 'the reader took 1000 bytes and left');
    assert.deepEqual(await copied, { digest: sha256(data), size: data.length });
  }));
