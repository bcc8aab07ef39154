import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { extractFile, fileTar } from './single-file.js';
import { BLOCK, fileHeader, parseFileHeader } from './tar-header.js';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Splits a buffer into small chunks, as a socket would hand them over. */
function trickle(buf: Buffer, size = 1000): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

test('a ustar header round-trips; long names and huge numbers are left to GNU tar', () => {
  const h = { name: 'file.bin', mode: 0o4755, uid: 1000, gid: 100, size: 12345, mtime: 1_700_000_000 };
  const block = fileHeader(h);
  assert.equal(block?.length, BLOCK);
  assert.deepEqual(parseFileHeader(block!), h);
  assert.equal(fileHeader({ ...h, name: 'x'.repeat(101) }), undefined);
  assert.equal(fileHeader({ ...h, size: 8 ** 11 }), undefined);
  assert.equal(fileHeader({ ...h, uid: 8 ** 7 }), undefined);
  const corrupt = Buffer.from(block!);
  corrupt[0] = 0x79;
  assert.equal(parseFileHeader(corrupt), undefined, 'a bad checksum is not a header');
  const link = Buffer.from(block!);
  link[156] = 0x32;
  assert.equal(parseFileHeader(link), undefined, 'a symlink is not a plain file');
});

test('a file goes out as a tar and comes back with its content, mode and mtime', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'polis-cp-single-'));
  try {
    const source = join(dir, 'src');
    const content = Buffer.alloc(3 * 1024 * 1024 + 7, 'abc');
    await writeFile(source, content);
    await chmod(source, 0o640);
    await utimes(source, new Date(1_600_000_000_000), new Date(1_600_000_000_000));
    const tar = await collect((await fileTar(source, 'renamed'))!);
    assert.equal(tar.length % BLOCK, 0);
    assert.equal(parseFileHeader(tar.subarray(0, BLOCK))?.name, 'renamed');

    const target = join(dir, 'out');
    await writeFile(target, 'an older file is replaced');
    assert.equal(await extractFile(trickle(tar, 65_536), 'renamed', target), true);
    assert.deepEqual(await readFile(target), content);
    const st = await stat(target);
    assert.equal(st.mode & 0o7777, 0o640);
    assert.equal(st.mtimeMs, 1_600_000_000_000);

    // A truncated archive fails and leaves neither a half file nor the temp file.
    await rm(target);
    await assert.rejects(extractFile(trickle(tar.subarray(0, 2 * 1024 * 1024)), 'renamed', target));
    await assert.rejects(stat(target));
    assert.deepEqual((await readdir(dir)).sort(), ['src']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('anything but one plain file (another name, a link, a directory target) is handed back whole', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'polis-cp-single-'));
  try {
    await writeFile(join(dir, 'f'), 'x');
    await symlink('f', join(dir, 'link'));
    assert.equal(
      await fileTar(join(dir, 'link'), 'link'),
      undefined,
      'a symlink is archived by tar as itself',
    );
    const tar = await collect((await fileTar(join(dir, 'f'), 'f'))!);
    const other = trickle(tar, 100);
    assert.equal(await extractFile(other, 'g', join(dir, 'g')), false);
    assert.deepEqual(await collect(other), tar, 'the stream still holds the whole archive');
    const toDir = trickle(tar);
    assert.equal(await extractFile(toDir, 'f', dir), false);
    assert.deepEqual(await collect(toDir), tar);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
