import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, symlink, writeFile, lstat, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { extract as tarExtract, pack as tarPack, type Headers } from 'tar-stream';
import { isPolisError } from '@polis/core';
import { ConfinedRoot } from './confined.js';
import { extractInto, entryPath } from './tar-in.js';
import { absoluteContainerPath, baseName, goFileMode } from './stat.js';
import { tarEntry } from './tar-out.js';

/** A sandbox: `outside/` stands for the host, `root/` for the container's rootfs. */
async function sandbox(): Promise<{ base: string; root: string; outside: string }> {
  const base = await mkdtemp(join(tmpdir(), 'polis-confined-'));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  await mkdir(join(root, 'etc'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'secret'), 'host');
  await writeFile(join(root, 'etc', 'hostname'), 'ctr');
  // Links that would reach the host if followed there: absolute, and climbing with `..`.
  await symlink(outside, join(root, 'to-host'));
  await symlink('../../../../../../../..' + outside, join(root, 'climb'));
  await symlink('/', join(root, 'slash'));
  await symlink('/etc', join(root, 'etc-link'));
  return { base, root, outside };
}

function tarOf(entries: { h: Headers; body?: string }[]): Readable {
  const p = tarPack();
  for (const e of entries) p.entry(e.h, e.body ?? '');
  p.finalize();
  return p;
}

test('symlinks resolve inside the root: absolute, climbing and to / all stay in it', async () => {
  const { base, root } = await sandbox();
  const r = await ConfinedRoot.open(root);
  try {
    // `/to-host` names a host path: inside the root it is that path under the root, which is missing.
    await assert.rejects(r.resolve('/to-host/secret', { followLast: true }), (e) =>
      isPolisError(e, 'archive.path_not_found'),
    );
    const viaSlash = await r.resolve('/slash/etc/hostname');
    assert.equal(viaSlash.path, '/etc/hostname');
    assert.equal(viaSlash.stat?.size, 3);
    await r.done(viaSlash);
    const viaEtc = await r.resolve('/etc-link/hostname');
    assert.equal(viaEtc.path, '/etc/hostname');
    await r.done(viaEtc);
    const dots = await r.resolve('/../../../etc/hostname');
    assert.equal(dots.path, '/etc/hostname');
    await r.done(dots);
    const last = await r.resolve('/etc-link');
    assert.ok(last.stat?.isSymbolicLink(), 'without followLast the final link itself is named');
    await r.done(last);
  } finally {
    await r.close();
    await rm(base, { recursive: true, force: true });
  }
});

test('extraction through a symlink to / or /etc writes inside the root, never on the host', async () => {
  const { base, root, outside } = await sandbox();
  const r = await ConfinedRoot.open(root);
  try {
    await extractInto(r, '/slash', tarOf([{ h: { name: 'dropped-1' }, body: 'a' }]), {
      noOverwriteDirNonDir: false,
    });
    await extractInto(r, '/to-host', tarOf([{ h: { name: 'x' }, body: 'b' }]), {
      noOverwriteDirNonDir: false,
    }).catch((e: unknown) => assert.ok(isPolisError(e, 'archive.path_not_found')));
    await extractInto(r, '/', tarOf([{ h: { name: 'climb/secret' }, body: 'owned' }]), {
      noOverwriteDirNonDir: false,
    }).catch(() => undefined);
    assert.equal(await readFile(join(root, 'dropped-1'), 'utf8'), 'a');
    assert.deepEqual((await readdir(outside)).sort(), ['secret']);
    assert.equal(await readFile(join(outside, 'secret'), 'utf8'), 'host');
  } finally {
    await r.close();
    await rm(base, { recursive: true, force: true });
  }
});

test('archive entries: ../ refused, absolute names confined, link-then-file and hard links kept inside', async () => {
  const { base, root, outside } = await sandbox();
  const r = await ConfinedRoot.open(root);
  const opts = { noOverwriteDirNonDir: false };
  try {
    await assert.rejects(
      extractInto(r, '/etc', tarOf([{ h: { name: '../../outside/evil' }, body: 'x' }]), opts),
      (e) => isPolisError(e, 'archive.invalid'),
    );
    await extractInto(r, '/etc', tarOf([{ h: { name: join(outside, 'abs') }, body: 'x' }]), opts);
    assert.equal(await readFile(join(root, 'etc', outside, 'abs'), 'utf8'), 'x');
    // A symlink to the host's directory, then a file through it.
    await extractInto(
      r,
      '/',
      tarOf([
        { h: { name: 'esc', type: 'symlink', linkname: outside } },
        { h: { name: 'esc/planted' }, body: 'y' },
      ]),
      opts,
    );
    assert.equal(await readlink(join(root, 'esc')), outside);
    assert.equal(await readFile(join(root, outside, 'planted'), 'utf8'), 'y');
    // Hard links: to a name climbing out is refused; to an absolute host path is taken inside.
    await assert.rejects(
      extractInto(
        r,
        '/etc',
        tarOf([{ h: { name: 'hl', type: 'link', linkname: '../../outside/secret' } }]),
        opts,
      ),
      (e) => isPolisError(e, 'archive.invalid'),
    );
    await assert.rejects(
      extractInto(
        r,
        '/',
        tarOf([{ h: { name: 'hl2', type: 'link', linkname: join(outside, 'secret') } }]),
        opts,
      ),
      (e) => isPolisError(e, 'archive.path_not_found'),
    );
    await assert.rejects(
      extractInto(
        r,
        '/',
        tarOf([{ h: { name: 'null', type: 'character-device', devmajor: 1, devminor: 3 } }]),
        opts,
      ),
      (e) => isPolisError(e, 'archive.invalid'),
    );
    assert.deepEqual((await readdir(outside)).sort(), ['secret']);
    assert.equal(await readFile(join(outside, 'secret'), 'utf8'), 'host');
  } finally {
    await r.close();
    await rm(base, { recursive: true, force: true });
  }
});

test('the extraction point must be a directory; a read-only root refuses writes', async () => {
  const { base, root } = await sandbox();
  const r = await ConfinedRoot.open(root);
  const ro = await ConfinedRoot.open(root, { readonly: true });
  try {
    await assert.rejects(extractInto(r, '/etc/hostname', tarOf([]), { noOverwriteDirNonDir: false }), (e) =>
      isPolisError(e, 'archive.not_a_directory'),
    );
    await assert.rejects(extractInto(r, '/nope', tarOf([]), { noOverwriteDirNonDir: false }), (e) =>
      isPolisError(e, 'archive.path_not_found'),
    );
    await assert.rejects(
      extractInto(ro, '/etc', tarOf([{ h: { name: 'f' }, body: 'z' }]), { noOverwriteDirNonDir: false }),
      (e) => isPolisError(e, 'archive.read_only'),
    );
    await assert.rejects(
      extractInto(r, '/', tarOf([{ h: { name: 'etc' }, body: 'z' }]), { noOverwriteDirNonDir: true }),
      (e) => isPolisError(e, 'archive.invalid'),
    );
    assert.ok((await lstat(join(root, 'etc'))).isDirectory());
  } finally {
    await r.close();
    await ro.close();
    await rm(base, { recursive: true, force: true });
  }
});

test('a mount layered in is entered at its mount point', async () => {
  const { base, root } = await sandbox();
  const vol = join(base, 'vol');
  await mkdir(vol);
  await mkdir(join(root, 'data'));
  const r = await ConfinedRoot.open(root, {
    mounts: [{ destination: '/data', source: vol, readonly: false }],
  });
  try {
    await extractInto(r, '/data', tarOf([{ h: { name: 'in-volume' }, body: 'v' }]), {
      noOverwriteDirNonDir: false,
    });
    assert.equal(await readFile(join(vol, 'in-volume'), 'utf8'), 'v');
    // A file named as the mount point would replace it: refused, and the mount's content stays.
    await assert.rejects(
      extractInto(r, '/', tarOf([{ h: { name: 'data' }, body: 'file' }]), { noOverwriteDirNonDir: false }),
      (e) => isPolisError(e, 'request.conflict'),
    );
    assert.deepEqual(await readdir(vol), ['in-volume']);
  } finally {
    await r.close();
    await rm(base, { recursive: true, force: true });
  }
});

test("paths and names as Docker's archive code takes them", () => {
  assert.equal(entryPath('/etc', '../x'), undefined);
  assert.equal(entryPath('/etc', 'a/../../x'), undefined);
  assert.equal(entryPath('/etc', '/abs/x'), '/etc/abs/x');
  assert.equal(entryPath('/', './a'), '/a');
  assert.equal(absoluteContainerPath('foo/'), '/foo/');
  assert.equal(absoluteContainerPath('/foo/.'), '/foo/.');
  assert.equal(baseName('/foo/.'), '.');
  assert.equal(baseName('/'), '/');
  assert.equal(baseName('/a/b/'), 'b');
  assert.equal(goFileMode({ mode: 0o040755 }), 2 ** 31 + 0o755);
  assert.equal(goFileMode({ mode: 0o120777 }), 2 ** 27 + 0o777);
});

test('the tar of a tree holds every entry with its size, a large file included', async () => {
  const { base, root } = await sandbox();
  await mkdir(join(root, 'data', 'sub'), { recursive: true });
  await writeFile(join(root, 'data', 'sub', 'big'), Buffer.alloc(20 * 1024 * 1024 + 7, 1));
  await writeFile(join(root, 'data', 'empty'), '');
  const r = await ConfinedRoot.open(root);
  try {
    const at = await r.resolve('/data');
    const seen: string[] = [];
    const ex = tarExtract();
    ex.on('entry', (h, stream, next) => {
      seen.push(`${h.name}:${h.size ?? 0}`);
      stream.on('end', () => next());
      stream.resume();
    });
    const finished = new Promise<void>((resolve, reject) => {
      ex.on('finish', resolve);
      ex.on('error', reject);
    });
    // Read as the API reads it (async iteration): the archive must end, padding and end blocks included.
    const chunks: Buffer[] = [];
    for await (const chunk of tarEntry(r, { ...at, stat: at.stat! }, 'data')) chunks.push(chunk as Buffer);
    const tar = Buffer.concat(chunks);
    assert.equal(tar.length % 512, 0);
    ex.end(tar);
    await finished;
    assert.deepEqual(seen, [
      'data/:0',
      'data/empty:0',
      'data/sub/:0',
      `data/sub/big:${20 * 1024 * 1024 + 7}`,
    ]);
    // A file on its own (`cp c:/data/sub/big .`) ends too.
    const file = await r.resolve('/data/sub/big');
    let length = 0;
    for await (const chunk of tarEntry(r, { ...file, stat: file.stat! }, 'big'))
      length += (chunk as Buffer).length;
    assert.equal(length, 512 + Math.ceil((20 * 1024 * 1024 + 7) / 512) * 512 + 1024);
  } finally {
    await r.close();
    await rm(base, { recursive: true, force: true });
  }
});
