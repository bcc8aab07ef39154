import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { JsonFileWriter, encodeJsonLine, lastJsonTime } from './json-file.js';

const entry = (
  data: string,
  stream: 'stdout' | 'stderr' = 'stdout',
  time = '2026-12-03T10:00:00.123456789Z',
) => ({
  stream,
  time,
  data: Buffer.from(data),
});

test('encodes Docker json-file lines, newline and escapes kept in "log"', () => {
  assert.equal(
    encodeJsonLine(entry('hello "x"\t\n', 'stderr')),
    '{"log":"hello \\"x\\"\\t\\n","stream":"stderr","time":"2026-12-03T10:00:00.123456789Z"}\n',
  );
  const parsed = JSON.parse(encodeJsonLine(entry('ünï\n'))) as Record<string, string>;
  assert.deepEqual(Object.keys(parsed), ['log', 'stream', 'time']);
  assert.equal(parsed.log, 'ünï\n');
  // A partial line stays without its newline, as Docker writes it.
  assert.equal((JSON.parse(encodeJsonLine(entry('no end'))) as { log: string }).log, 'no end');
});

test('writer rotates at max-size into .1 .. .(max-file − 1) and resumes from the last time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'jsonfile-'));
  try {
    const path = join(dir, 'c-json.log');
    const w = new JsonFileWriter(path, 300, 3);
    for (let i = 0; i < 40; i++)
      await w.write(
        entry(`line ${i}\n`, 'stdout', `2026-12-03T10:00:${String(i).padStart(2, '0')}.000000000Z`),
      );
    await w.close();
    assert.deepEqual((await readdir(dir)).sort(), ['c-json.log', 'c-json.log.1', 'c-json.log.2']);
    const all: string[] = [];
    for (const f of ['c-json.log.2', 'c-json.log.1', 'c-json.log']) {
      const text = await readFile(join(dir, f), 'utf8');
      assert.ok(Buffer.byteLength(text) <= 300, `${f} within max-size`);
      for (const row of text.trimEnd().split('\n')) all.push((JSON.parse(row) as { log: string }).log);
    }
    // The newest lines, in order, with none missing between the files.
    assert.equal(all.at(-1), 'line 39\n');
    const first = Number(/\d+/.exec(all[0]!)![0]);
    assert.deepEqual(
      all,
      Array.from({ length: 40 - first }, (_, i) => `line ${first + i}\n`),
    );
    assert.equal(await lastJsonTime(path), '2026-12-03T10:00:39.000000000Z');
    assert.equal(await lastJsonTime(join(dir, 'absent')), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
