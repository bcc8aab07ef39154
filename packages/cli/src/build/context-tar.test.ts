import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { contextPaths, stdinContext } from './context-tar.js';

test('the context sent honours .dockerignore but always carries the Dockerfile and .dockerignore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'polis-ctx-'));
  try {
    await writeFile(
      join(dir, '.dockerignore'),
      'Dockerfile\n.dockerignore\nnode_modules\n*.log\n!keep.log\n',
    );
    await writeFile(join(dir, 'Dockerfile'), 'FROM busybox\n');
    await writeFile(join(dir, 'a.log'), '');
    await writeFile(join(dir, 'keep.log'), '');
    await mkdir(join(dir, 'node_modules', 'x'), { recursive: true });
    await writeFile(join(dir, 'node_modules', 'x', 'i.js'), '');
    await mkdir(join(dir, 'src'));
    await writeFile(join(dir, 'src', 'main.c'), '');
    await symlink('/etc/passwd', join(dir, 'link'));
    assert.deepEqual(await contextPaths(dir, 'Dockerfile'), [
      '.dockerignore',
      'Dockerfile',
      'keep.log',
      'link',
      'src',
      'src/main.c',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('stdin: a tar or compressed tar is sent as it is; anything else is a Dockerfile alone', async () => {
  const dockerfile = Buffer.from('FROM busybox\nRUN true\n');
  const tar = await stdinContext(Readable.from([dockerfile]));
  assert.equal(tar.subarray(0, 10).toString('latin1'), 'Dockerfile');
  assert.equal(tar.subarray(257, 262).toString('latin1'), 'ustar');
  assert.equal(tar.subarray(512, 512 + dockerfile.length).toString(), dockerfile.toString());
  assert.equal(tar.length % 512, 0);
  const gz = gzipSync(tar);
  assert.deepEqual(await stdinContext(Readable.from([gz])), gz);
  assert.deepEqual(await stdinContext(Readable.from([tar])), tar);
});
