import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLog } from './reader.js';

test('a rotated file of 300000 lines is read whole (the live file may be missing)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'polis-logs-'));
  try {
    const line = (i: number): string => `2026-11-27T00:00:00.000000000Z stdout F ${i}`;
    await writeFile(
      join(dir, 'ctr.log.1'),
      Array.from({ length: 300_000 }, (_, i) => line(i + 1)).join('\n') + '\n',
    );
    let count = 0;
    let last = '';
    for await (const e of readLog(join(dir, 'ctr.log'), {
      stdout: true,
      stderr: true,
      follow: false,
      rotated: [join(dir, 'ctr.log.1')],
    })) {
      count++;
      last = e.data.toString();
    }
    assert.equal(count, 300_000);
    assert.equal(last, '300000\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
