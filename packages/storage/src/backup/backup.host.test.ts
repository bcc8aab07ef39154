import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isPolisError, proc } from '@polis/core';

/** The backup's ring: 8 chunks of 1 MiB (`backup.ts`). */
const SLOTS = 8;
const CHUNK = 1024 * 1024;
import { VolumeBackup } from './backup.js';
import { TRAILER_FRAME_SIZE, parseTrailerFrame } from './zstd-frame.js';

/** Keeps what is written into it; each write's callback comes `delayMs` later (a slow client). */
class Sink extends Writable {
  readonly chunks: Buffer[] = [];
  constructor(private readonly delayMs = 0) {
    super({ highWaterMark: 1 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error) => void): void {
    // Copied: the backup's chunks are views of memory it reuses once the callback ran.
    this.chunks.push(Buffer.from(chunk));
    if (this.delayMs > 0) setTimeout(done, this.delayMs);
    else done();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** The tar children of this process still running. */
function tarChildren(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (stat.includes('(tar)') && Number(fields[1]) === process.pid) found.push(Number(entry));
    } catch {
      // Gone while listed.
    }
  }
  return found;
}

async function gone(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(check(), what);
}

describe('VolumeBackup: tar → worker thread → the reader', () => {
  let root: string;
  let data: string;
  const volume = (mountpoint: string) => ({
    name: 'pages',
    driver: 'local',
    createdAt: '2026-12-04T10:00:00Z',
    mountpoint,
    labels: { team: 'web' },
    options: {},
    anonymous: false,
  });

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'polis-backup-'));
    data = join(root, 'pages', '_data');
    mkdirSync(data, { recursive: true });
    // Random bytes: the archive stays about as large (~12 MiB), so it fills the ring more than once.
    for (let i = 0; i < 12; i++) writeFileSync(join(data, `f${i}`), randomBytes(CHUNK + i * 1000));
    writeFileSync(join(data, 'note'), 'hello\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('writes manifest, archive and a trailer whose digest covers them, for a reader slower than tar', async () => {
    const sink = new Sink(15);
    const backup = await VolumeBackup.start(volume(data), root);
    await backup.pipeTo(sink);
    const bytes = sink.bytes;
    assert.ok(bytes.length > SLOTS * CHUNK, `the archive (${bytes.length} bytes) went round the ring`);
    const body = bytes.subarray(0, bytes.length - TRAILER_FRAME_SIZE);
    const trailer = parseTrailerFrame(bytes.subarray(body.length));
    assert.deepEqual(trailer, {
      digest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
      size: body.length,
    });
    // What zstd and tar read back: the manifest member first, then the volume's files, unchanged.
    const listed = await proc.run('sh', ['-c', 'zstd -d -q -c | tar -t'], { input: bytes });
    const names = listed.stdout.trim().split('\n');
    assert.equal(names[0], 'polis-volume.json');
    assert.ok(names.includes('./note') && names.includes('./f11'), names.join(' '));
    const note = await proc.run('sh', ['-c', 'zstd -d -q -c | tar -xO ./note'], { input: bytes });
    assert.equal(note.stdout, 'hello\n');
    assert.deepEqual(tarChildren(), []);
    assert.deepEqual(
      readdirSync(root).filter((n) => n.startsWith('.pipe-')),
      [],
      'the pipe is unlinked',
    );
  });

  it('two backups at once, each whole', async () => {
    const sinks = [new Sink(), new Sink(2)];
    await Promise.all(sinks.map(async (sink) => (await VolumeBackup.start(volume(data), root)).pipeTo(sink)));
    const [a, b] = sinks.map((s) => s.bytes) as [Buffer, Buffer];
    assert.deepEqual(a, b, 'the same volume, the same bytes');
  });

  it('a reader that goes away stops tar and the worker; the next backup works', async () => {
    const sink = new Sink(5);
    const backup = await VolumeBackup.start(volume(data), root);
    const piping = backup.pipeTo(sink);
    await new Promise((r) => setTimeout(r, 30));
    sink.destroy();
    await assert.rejects(piping, (err: unknown) => isPolisError(err, 'process.failed'));
    await gone(() => tarChildren().length === 0, 'tar is killed');
    const again = new Sink();
    await (await VolumeBackup.start(volume(data), root)).pipeTo(again);
    assert.ok(parseTrailerFrame(again.bytes.subarray(again.bytes.length - TRAILER_FRAME_SIZE)));
  });

  it('a failing tar destroys the reader with the error: no trailer, never a cut archive taken whole', async () => {
    const sink = new Sink();
    const backup = await VolumeBackup.start(volume(join(root, 'missing')), root);
    const failed = new Promise<Error | undefined>((resolve) =>
      sink.once('close', () => resolve(sink.errored ?? undefined)),
    );
    await assert.rejects(backup.pipeTo(sink), (err: unknown) => {
      assert.ok(isPolisError(err, 'process.failed'));
      assert.match(err.message, /^backup pages: /);
      return true;
    });
    assert.ok((await failed) instanceof Error, 'the reader was destroyed with the error');
    const bytes = sink.bytes;
    assert.equal(
      parseTrailerFrame(bytes.subarray(Math.max(0, bytes.length - TRAILER_FRAME_SIZE))),
      undefined,
    );
  });
});
