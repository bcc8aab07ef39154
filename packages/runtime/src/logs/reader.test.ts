import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, link, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
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

test('following across conmon’s cut: the rest of the old file, then the new one, every line once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'polis-logs-'));
  try {
    const log = join(dir, 'ctr.log');
    const line = (i: number): string => `2026-11-27T00:00:00.000000000Z stdout F ${i}\n`;
    await writeFile(log, line(1));
    let wake: (() => void) | undefined;
    let ended = false;
    const control = {
      ended: () => ended,
      onWake: (cb: () => void) => {
        wake = cb;
        return () => undefined;
      },
    };
    const got: string[] = [];
    const reading = (async () => {
      for await (const e of readLog(log, { stdout: true, stderr: true, follow: true }, control))
        got.push(e.data.toString().trim());
    })();
    while (got.length < 1) await new Promise((r) => setTimeout(r, 10));
    // Written after the follower's last read, then cut: the old file goes to `.1` (rotation), and the
    // new one grows past the old offset before the follower looks again.
    await appendFile(log, line(2));
    await link(log, `${log}.1`);
    await writeFile(`${log}.tmp`, line(3) + line(4) + line(5));
    await rename(`${log}.tmp`, log);
    ended = true;
    wake?.();
    await reading;
    assert.deepEqual(got, ['1', '2', '3', '4', '5']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
