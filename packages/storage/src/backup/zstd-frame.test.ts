import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { isPolisError, proc } from '@polis/core';
import { BackupCheck } from '../testing/check-stream.js';
import { TrailerCheck } from '../testing/trailer-stream.js';
import { manifestEntry, manifestOf } from './manifest.js';
import { fileEntry } from './tar-block.js';
import { TRAILER_FRAME_SIZE, parseTrailerFrame, rawFrame, trailerFrame } from './zstd-frame.js';

const T = 1_700_000_000;
const volume = {
  name: 'pages',
  driver: 'local',
  createdAt: '2026-12-03T10:00:00Z',
  mountpoint: '/nowhere',
  labels: {},
  options: {},
  anonymous: false,
};

const DATA = [
  fileEntry('./', Buffer.alloc(0), T, '5'),
  fileEntry('./a', Buffer.from('hello\n'.repeat(300)), T),
  fileEntry('./d/', Buffer.alloc(0), T, '5'),
  fileEntry('./d/z', Buffer.from('z'), T),
];
/** GNU tar's stream: members, the end marker, padding to a 10 KiB record. */
const TAR = Buffer.concat([...DATA, Buffer.alloc(10240 - (Buffer.concat(DATA).length % 10240))]);

/** zstd over `input`, its output as bytes. */
async function zstd(args: string[], input: Buffer): Promise<Buffer> {
  const child = proc.start('zstd', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stdin!.end(input);
  await proc.waitFor(child, 'zstd', args);
  return Buffer.concat(out);
}

const unzstd = (input: Buffer): Promise<Buffer> => zstd(['-d', '-q', '-c'], input);

async function through(stream: NodeJS.ReadWriteStream, input: Buffer[], piece = 333): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (const part of input)
    for (let at = 0; at < part.length; at += piece) pieces.push(part.subarray(at, at + piece));
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk);
      done();
    },
  });
  await pipeline(Readable.from(pieces), stream, sink);
  return Buffer.concat(out);
}

/** A format-2 backup as `VolumeBackup` makes it, from zstd-compressed tar bytes. */
function backupOf(compressedTar: Buffer): Buffer {
  const before = Buffer.concat([rawFrame(manifestEntry(manifestOf(volume))), compressedTar]);
  const digest = `sha256:${createHash('sha256').update(before).digest('hex')}`;
  return Buffer.concat([before, trailerFrame({ digest, size: before.length })]);
}

describe('backup format 2: zstd frames and the compressed digest', () => {
  it('writes raw frames any zstd reads back, of one block or many', async () => {
    for (const data of [Buffer.alloc(0), Buffer.from('x'), randomBytes(300 * 1024 + 7)]) {
      assert.deepEqual(await unzstd(rawFrame(data)), data);
    }
    const both = Buffer.concat([rawFrame(Buffer.from('a')), rawFrame(Buffer.from('b'))]);
    assert.equal((await unzstd(both)).toString(), 'ab', 'frames concatenate');
  });

  it('keeps the trailer in a skippable frame zstd passes over', async () => {
    const trailer = { digest: `sha256:${'b'.repeat(64)}`, size: 42 };
    const frame = trailerFrame(trailer);
    assert.equal(frame.length, TRAILER_FRAME_SIZE);
    assert.deepEqual(parseTrailerFrame(frame), trailer);
    assert.equal(parseTrailerFrame(randomBytes(TRAILER_FRAME_SIZE)), undefined);
    const withTrailer = Buffer.concat([rawFrame(Buffer.from('data')), frame]);
    assert.equal((await unzstd(withTrailer)).toString(), 'data');
  });

  it('checks the digest over the compressed bytes, whatever the chunking, and finds a flipped byte', async () => {
    const compressed = await zstd(['-q', '-c'], TAR);
    const backup = backupOf(compressed);
    for (const piece of [1, 100, 264, 265, 4096, backup.length]) {
      const check = new TrailerCheck();
      assert.deepEqual(await through(check, [backup], piece), backup, 'passed on unchanged');
      assert.ok(check.found, `trailer found with pieces of ${piece}`);
    }
    const decompressed = await unzstd(backup);
    let named = '';
    const extracted = await through(new BackupCheck((m) => (named = m.name)), [decompressed]);
    assert.equal(named, 'pages');
    assert.deepEqual(extracted, Buffer.concat([...DATA, Buffer.alloc(1024)]), 'tar gets the members alone');

    const flipped = Buffer.from(backup);
    flipped[100] ^= 1;
    await assert.rejects(through(new TrailerCheck(), [flipped]), (err: unknown) => {
      assert.ok(isPolisError(err, 'volume.backup_invalid'));
      assert.match(err.message, /content digest mismatch/);
      return true;
    });
    const cut = new TrailerCheck();
    await through(cut, [backup.subarray(0, backup.length - 10)]);
    assert.equal(cut.found, false, 'a cut trailer is no trailer');
  });

  it('refuses a format-2 archive that ends early or holds a trailer member', async () => {
    const manifest = manifestEntry(manifestOf(volume));
    const refused = async (input: Buffer, message: RegExp): Promise<void> =>
      assert.rejects(through(new BackupCheck(), [input]), (err: unknown) => {
        assert.ok(isPolisError(err, 'volume.backup_invalid'), String(err));
        assert.match(err.message, message);
        return true;
      });
    await refused(Buffer.concat([manifest, ...DATA]), /truncated/);
    await refused(
      Buffer.concat([manifest, fileEntry('polis-volume.sum', Buffer.from('{}'), T), Buffer.alloc(1024)]),
      /not inside the volume/,
    );
  });
});
