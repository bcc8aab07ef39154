import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { LogEntry } from '@polis/runtime';
import { encodeEntry, frameHeader, pumpEntries } from './frames.js';

const entry = (stream: 'stdout' | 'stderr', text: string): LogEntry => ({
  stream,
  time: '2024-05-01T12:00:00.000000001+02:00',
  data: Buffer.from(text),
});

test('frame header: stream id, three zeros, big-endian length', () => {
  assert.deepEqual([...frameHeader('stdout', 5)], [1, 0, 0, 0, 0, 0, 0, 5]);
  assert.deepEqual([...frameHeader('stderr', 0x01020304)], [2, 0, 0, 0, 1, 2, 3, 4]);
});

test('entries are framed without a TTY and raw with one; timestamps prefix the payload', () => {
  const framed = encodeEntry(entry('stderr', 'oops\n'), { tty: false, timestamps: false });
  assert.deepEqual(framed, Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 5]), Buffer.from('oops\n')]));
  const stamped = encodeEntry(entry('stdout', 'hi\n'), { tty: false, timestamps: true });
  const payload = '2024-05-01T10:00:00.000000001Z hi\n';
  assert.equal(stamped.readUInt32BE(4), payload.length);
  assert.equal(stamped.subarray(8).toString(), payload);
  assert.equal(encodeEntry(entry('stdout', 'hi\n'), { tty: true, timestamps: false }).toString(), 'hi\n');
});

test('pumpEntries writes every entry and stops when aborted', async () => {
  async function* three(): AsyncIterable<LogEntry> {
    yield entry('stdout', 'a');
    yield entry('stderr', 'b');
    yield entry('stdout', 'c');
  }
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await pumpEntries(three(), out, { tty: true, timestamps: false }, new AbortController().signal);
  assert.equal(Buffer.concat(chunks).toString(), 'abc');

  const aborted = new AbortController();
  aborted.abort();
  const out2 = new PassThrough();
  const got: Buffer[] = [];
  out2.on('data', (c: Buffer) => got.push(c));
  await pumpEntries(three(), out2, { tty: true, timestamps: false }, aborted.signal);
  assert.equal(Buffer.concat(got).length, 0);
});
