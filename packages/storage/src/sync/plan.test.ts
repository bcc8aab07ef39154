import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Entry, Tree } from './entry.js';
import { checksumCandidates, planSync, summarize, type PlanOptions } from './plan.js';

let nextIno = 100n;
function e(path: string, kind: Entry['kind'], more: Partial<Entry> = {}): Entry {
  return {
    path,
    kind,
    mode: kind === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size: 0,
    mtimeNs: 1_700_000_000_000_000_000n,
    ino: nextIno++,
    nlink: 1,
    rdev: 0,
    ...more,
  };
}
const tree = (...entries: Entry[]): Tree => new Map(entries.map((x) => [x.path, x]));
const root = e('', 'dir');
const opts = (more: Partial<PlanOptions> = {}): PlanOptions => ({ checksum: false, delete: false, ...more });
const ops = (plan: ReturnType<typeof planSync>): string[] =>
  plan.actions.map((a) => `${a.op} ${a.path}${a.op === 'link' ? ` -> ${a.to}` : ''}`);

describe('sync planner', () => {
  it('copies what is new or changed in size or mtime and leaves the rest', () => {
    const src = tree(
      e('same', 'file', { size: 5 }),
      e('bigger', 'file', { size: 6 }),
      e('newer', 'file', { size: 5, mtimeNs: 1_800_000_000_000_000_000n }),
      e('added', 'file', { size: 7 }),
      e('d', 'dir'),
      e('d/inner', 'file', { size: 1 }),
    );
    const dst = tree(
      e('same', 'file', { size: 5 }),
      e('bigger', 'file', { size: 5 }),
      e('newer', 'file', { size: 5 }),
      e('gone', 'file', { size: 3 }),
    );
    const plan = planSync(root, root, src, dst, opts());
    assert.deepEqual(ops(plan), ['copy bigger', 'copy newer', 'copy added', 'mkdir d', 'copy d/inner']);
    assert.deepEqual(summarize(plan), {
      copied: 5,
      bytes: 19,
      updated: 0,
      deleted: 0,
      unchanged: 1,
      skipped: 0,
    });
  });

  it('with delete, removes what SRC lost, a whole directory counted once per entry', () => {
    const src = tree(e('keep', 'file'));
    const dst = tree(
      e('keep', 'file'),
      e('old', 'dir'),
      e('old/a', 'file'),
      e('old/b', 'file'),
      e('x', 'file'),
    );
    const plan = planSync(root, root, src, dst, opts({ delete: true }));
    assert.deepEqual(ops(plan), ['remove old', 'remove x']);
    assert.equal(summarize(plan).deleted, 4);
    assert.deepEqual(ops(planSync(root, root, src, dst, opts())), []);
  });

  it('sets only the metadata when the content is the same', () => {
    const src = tree(
      e('f', 'file', { mode: 0o600 }),
      e('g', 'file', { uid: 5 }),
      e('h', 'file', { xattrs: { 'user.a': '31' } }),
    );
    const dst = tree(e('f', 'file'), e('g', 'file'), e('h', 'file'));
    const plan = planSync(root, root, src, dst, opts());
    assert.deepEqual(ops(plan), ['meta f', 'meta g', 'meta h']);
    assert.equal(summarize(plan).updated, 3);
  });

  it('checksum catches a same-size, same-mtime change and skips a touched but equal file', () => {
    const src = tree(e('changed', 'file', { size: 4 }), e('touched', 'file', { size: 4, mtimeNs: 5n }));
    const dst = tree(e('changed', 'file', { size: 4 }), e('touched', 'file', { size: 4 }));
    assert.deepEqual(checksumCandidates(src, dst), ['changed', 'touched']);
    assert.deepEqual(ops(planSync(root, root, src, dst, opts())), ['copy touched']);
    const hashes = {
      src: new Map([
        ['changed', 'aa'],
        ['touched', 'cc'],
      ]),
      dst: new Map([
        ['changed', 'bb'],
        ['touched', 'cc'],
      ]),
    };
    assert.deepEqual(ops(planSync(root, root, src, dst, opts({ checksum: true }), hashes)), [
      'copy changed',
      'meta touched',
    ]);
  });

  it('replaces an entry whose type changed, and a symlink whose target changed', () => {
    const src = tree(e('a', 'file'), e('b', 'dir'), e('l', 'symlink', { target: '/etc' }));
    const dst = tree(
      e('a', 'dir'),
      e('a/x', 'file'),
      e('b', 'symlink', { target: '/' }),
      e('l', 'symlink', { target: '/' }),
    );
    const plan = planSync(root, root, src, dst, opts());
    assert.deepEqual(ops(plan), ['remove a', 'copy a', 'remove b', 'mkdir b', 'symlink l']);
    assert.equal(summarize(plan).deleted, 0, 'a replacement is no deletion');
  });

  it('keeps hard links as links: the first path is copied, the others linked to it', () => {
    const src = tree(
      e('a', 'file', { ino: 7n, nlink: 3, size: 9 }),
      e('b', 'file', { ino: 7n, nlink: 3, size: 9 }),
      e('c', 'file', { ino: 7n, nlink: 3, size: 9 }),
    );
    const fresh = planSync(root, root, src, new Map(), opts());
    assert.deepEqual(ops(fresh), ['copy a', 'link b -> a', 'link c -> a']);
    assert.equal(summarize(fresh).bytes, 9);
    // Synced before: DEST's three paths share one inode; nothing to do.
    const dst = tree(
      e('a', 'file', { ino: 8n, nlink: 3, size: 9 }),
      e('b', 'file', { ino: 8n, nlink: 3, size: 9 }),
      e('c', 'file', { ino: 8n, nlink: 3, size: 9 }),
    );
    assert.deepEqual(ops(planSync(root, root, src, dst, opts())), []);
    // The first path's content changed: it gets a new inode, so the others are linked again.
    const changed = new Map(src);
    changed.set('a', { ...(src.get('a') as Entry), size: 10 });
    changed.set('b', { ...(src.get('b') as Entry), size: 10 });
    changed.set('c', { ...(src.get('c') as Entry), size: 10 });
    assert.deepEqual(ops(planSync(root, root, changed, dst, opts())), [
      'copy a',
      'link b -> a',
      'link c -> a',
    ]);
  });

  it('breaks a DEST hard link SRC does not have, rather than changing both paths', () => {
    const src = tree(e('a', 'file', { size: 1 }), e('b', 'file', { size: 1 }));
    const dst = tree(
      e('a', 'file', { ino: 9n, nlink: 2, size: 1 }),
      e('b', 'file', { ino: 9n, nlink: 2, size: 1 }),
    );
    assert.deepEqual(ops(planSync(root, root, src, dst, opts())), ['copy a', 'copy b']);
  });

  it('makes FIFOs and devices anew when their mode or number changed, skips sockets', () => {
    const src = tree(
      e('p', 'fifo', { mode: 0o600 }),
      e('q', 'fifo'),
      e('s', 'socket'),
      e('n', 'char', { rdev: 259 }),
    );
    const dst = tree(e('p', 'fifo'), e('q', 'fifo'), e('n', 'char', { rdev: 259 }));
    const plan = planSync(root, root, src, dst, opts());
    assert.deepEqual(ops(plan), ['special p']);
    assert.deepEqual(plan.skipped, ['s']);
    assert.equal(plan.unchanged, 2);
  });

  it('sets the root’s metadata when it differs, without counting it', () => {
    const plan = planSync(e('', 'dir', { mode: 0o700 }), root, new Map(), new Map(), opts());
    assert.deepEqual(ops(plan), ['meta ']);
    assert.equal(summarize(plan).updated, 0);
  });
});
