import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { demuxTo, FrameDemuxer, STDERR, STDOUT } from './demux.js';
import { frame } from '../testing/frames.js';

function collect(chunks: Buffer[]): { out: string; err: string; boundary: boolean } {
  let out = '';
  let err = '';
  const d = new FrameDemuxer((stream, payload) => {
    if (stream === STDOUT) out += payload.toString();
    else if (stream === STDERR) err += payload.toString();
  });
  for (const c of chunks) d.push(c);
  return { out, err, boundary: d.atBoundary };
}

test('demuxes whole frames in one chunk', () => {
  const all = Buffer.concat([frame(1, 'hello\n'), frame(2, 'oops\n'), frame(1, 'bye\n')]);
  assert.deepEqual(collect([all]), { out: 'hello\nbye\n', err: 'oops\n', boundary: true });
});

test('demuxes frames split at every possible byte', () => {
  const all = Buffer.concat([frame(1, 'abc'), frame(2, 'de'), frame(1, ''), frame(1, 'fgh')]);
  for (let i = 1; i < all.length; i++) {
    const r = collect([all.subarray(0, i), all.subarray(i)]);
    assert.deepEqual(r, { out: 'abcfgh', err: 'de', boundary: true }, `split at ${i}`);
  }
  const bytes = [...all].map((b) => Buffer.from([b]));
  assert.deepEqual(collect(bytes), { out: 'abcfgh', err: 'de', boundary: true });
});

test('reports a partial frame as not at a boundary', () => {
  const f = frame(1, 'abcdef');
  assert.equal(collect([f.subarray(0, 10)]).boundary, false);
  assert.equal(collect([f.subarray(0, 5)]).boundary, false);
});

test('demuxTo routes streams and rejects with an in-band daemon error', async () => {
  const out = new PassThrough();
  const err = new PassThrough();
  await demuxTo(Readable.from([frame(1, 'x'), frame(2, 'y')]), true, out, err);
  assert.equal(out.read()?.toString(), 'x');
  assert.equal(err.read()?.toString(), 'y');
  await assert.rejects(
    demuxTo(Readable.from([frame(3, 'container gone')]), true, new PassThrough(), new PassThrough()),
    /container gone/,
  );
});

test('demuxTo passes a raw (TTY) stream through to stdout', async () => {
  const out = new PassThrough();
  await demuxTo(Readable.from([Buffer.from('\x01\x00raw')]), false, out, new PassThrough());
  assert.equal(out.read()?.toString(), '\x01\x00raw');
});

test('demuxTo settles for a stream that ended before it was called', async () => {
  const source = Readable.from([Buffer.from('early')]);
  source.resume();
  await new Promise((r) => source.once('close', r));
  const sink = new PassThrough();
  await demuxTo(source, false, sink, sink);
});
