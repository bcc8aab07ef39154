import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { isPolisError } from '@polis/core';
import { BackupCheck } from '../testing/check-stream.js';
import { BackupChecker } from './check.js';
import { BackupFramer } from './frame.js';
import { manifestEntry, manifestOf } from './manifest.js';
import { fileEntry } from './tar-block.js';

const volume = {
  name: 'pages',
  driver: 'local',
  createdAt: '2026-12-03T10:00:00Z',
  mountpoint: '/nowhere',
  labels: {},
  options: {},
  anonymous: false,
};

const T = 1_700_000_000;

/** Members as GNU tar would write them, then its end marker padded to a 10 KiB record. */
function tarOf(entries: Buffer[]): Buffer {
  const body = Buffer.concat(entries);
  const record = 10240;
  return Buffer.concat([body, Buffer.alloc(Math.ceil((body.length + 1024) / record) * record - body.length)]);
}

const DATA = [
  fileEntry('./', Buffer.alloc(0), T, '5'),
  fileEntry('./a', Buffer.from('hello\n'.repeat(300)), T),
  fileEntry('./b', Buffer.alloc(0), T, '1', './a'),
  fileEntry('./s', Buffer.alloc(0), T, '2', '/etc/passwd'),
  fileEntry('./d/', Buffer.alloc(0), T, '5'),
  fileEntry('./d/z', Buffer.from('z'), T),
];

function inPieces(data: Buffer, size: number): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) pieces.push(data.subarray(at, at + size));
  return Readable.from(pieces);
}

async function through(stream: NodeJS.ReadWriteStream, input: Buffer, piece: number): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk);
      done();
    },
  });
  await pipeline(inPieces(input, piece), stream, sink);
  return Buffer.concat(out);
}

/** A format-1 backup (the trailer a tar member), as Polis wrote them before format 2, uncompressed. */
function backupOf(entries: Buffer[], piece = 700): Promise<Buffer> {
  const manifest = manifestEntry({ ...manifestOf(volume), formatVersion: 1 });
  return through(new BackupFramer(manifest, T), tarOf(entries), piece);
}

async function refusal(backup: Buffer, message: RegExp): Promise<void> {
  await assert.rejects(through(new BackupCheck(), backup, 333), (err: unknown) => {
    assert.ok(isPolisError(err, 'volume.backup_invalid'), String(err));
    assert.match(err.message, message);
    return true;
  });
}

describe('backup framing and its check (format 1)', () => {
  it('frames tar output whatever its chunking, and the check hands tar back the members alone', async () => {
    const one = await backupOf(DATA, 700);
    assert.deepEqual(await backupOf(DATA, 512), one, 'the same bytes for any chunking');
    assert.deepEqual(await backupOf(DATA, 100_000), one);
    let named = '';
    const check = new BackupCheck((m) => (named = m.name));
    const extracted = await through(check, one, 333);
    assert.equal(named, 'pages');
    assert.deepEqual(extracted, Buffer.concat([...DATA, Buffer.alloc(1024)]));
  });

  it('refuses a flipped byte, a changed manifest, a truncation and data after the trailer', async () => {
    const good = await backupOf(DATA);
    const flipped = Buffer.from(good);
    const at = good.indexOf('hello');
    flipped[at] = 0x48; // 'H': the header checksums still hold, only the digest can tell
    await refusal(flipped, /content digest mismatch/);
    const relabelled = Buffer.from(good);
    relabelled.write('"pagez"', good.indexOf('"pages"'));
    await refusal(relabelled, /content digest mismatch/);
    await refusal(good.subarray(0, good.length - 2048), /truncated/);
    await refusal(good.subarray(0, 1536), /truncated/);
    await refusal(
      Buffer.concat([good.subarray(0, good.length - 1024), fileEntry('./late', Buffer.from('x'), T)]),
      /after the end of the archive/,
    );
  });

  it('refuses names that leave the volume, hard links to outside, paths below a symlink and devices', async () => {
    const cases: Array<[Buffer[], RegExp]> = [
      [[fileEntry('./../escape', Buffer.from('x'), T)], /not inside the volume/],
      [[fileEntry('/etc/cron.d/x', Buffer.from('x'), T)], /not inside the volume/],
      [[fileEntry('escape', Buffer.from('x'), T)], /not inside the volume/],
      [[fileEntry('./h', Buffer.alloc(0), T, '1', '/etc/shadow')], /not inside the volume/],
      [[fileEntry('./h', Buffer.alloc(0), T, '1', './later')], /no file of the archive before it/],
      [
        [fileEntry('./l', Buffer.alloc(0), T, '2', '/etc'), fileEntry('./l/passwd', Buffer.from('x'), T)],
        /below a symlink/,
      ],
      [[fileEntry('./a', Buffer.from('1'), T), fileEntry('./a', Buffer.from('2'), T)], /appears twice/],
      [[fileEntry('./null', Buffer.alloc(0), T, '3')], /device node/],
    ];
    for (const [entries, message] of cases) await refusal(await backupOf(entries), message);
  });

  it('refuses what is no backup: no manifest first, or nothing at all', async () => {
    await refusal(tarOf(DATA), /not the manifest/);
    await refusal(Buffer.alloc(10240), /empty/);
  });

  it('keeps nothing of the caller’s buffer: one buffer reused for every piece, pax data split across them', async () => {
    const paxOf = (path: string): Buffer => {
      const body = ` path=${path}\n`;
      let len = body.length + 1;
      while (`${len}${body}`.length !== len) len++;
      return fileEntry('./PaxHeaders/x', Buffer.from(`${len}${body}`), T, 'x');
    };
    const long = `./deep-${'n'.repeat(300)}`;
    const entries = [...DATA, paxOf(long), fileEntry('./short', Buffer.from('long-named'), T)];
    const backup = await backupOf(entries);
    const viaStream = await through(new BackupCheck(), backup, 97);
    /** Feeds `input` as the restore's worker does: 97 bytes at a time through one reused buffer. */
    const reusing = (input: Buffer): Buffer => {
      const checker = new BackupChecker();
      const buffer = Buffer.alloc(97);
      const out: Buffer[] = [];
      for (let at = 0; at < input.length; at += buffer.length) {
        const n = input.copy(buffer, 0, at, at + buffer.length);
        const got = checker.take(buffer.subarray(0, n));
        if (got) out.push(Buffer.from(got));
        buffer.fill(0xee);
      }
      out.push(checker.finish());
      return Buffer.concat(out);
    };
    assert.deepEqual(reusing(backup), viaStream);
    const escaping = await backupOf([
      ...DATA,
      paxOf(`./${'a/'.repeat(60)}../../${'../'.repeat(60)}x`),
      fileEntry('./ok', Buffer.from('x'), T),
    ]);
    assert.throws(
      () => reusing(escaping),
      (err: unknown) => {
        assert.ok(isPolisError(err, 'volume.backup_invalid'), String(err));
        assert.match(err.message, /not inside the volume/);
        return true;
      },
    );
  });
});
