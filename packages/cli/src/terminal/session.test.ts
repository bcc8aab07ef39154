import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { Duplex, PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import { AttachedContainer, type PolisClient } from '@polis/sdk/engine';
import { Cli } from '../cli.js';
import { parseDetachKeys } from './detach-keys.js';
import { runSession } from './session.js';

/** A fake hijacked connection: what the CLI writes is collected, the output is pushed by the test. */
function connection(): { socket: Duplex; written: Buffer[]; ended: Promise<void> } {
  const written: Buffer[] = [];
  let ended!: () => void;
  const done = new Promise<void>((r) => (ended = r));
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk);
      cb();
    },
    final(cb) {
      ended();
      cb();
    },
  });
  return { socket, written, ended: done };
}

function collector(): { stream: Writable; text: () => string } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(parts).toString() };
}

const noClient = class {} as unknown as new () => PolisClient;

test('piped input is forwarded byte for byte (detach keys included) and its end half-closes', async () => {
  const { socket, written, ended } = connection();
  const stdin = new PassThrough();
  const out = collector();
  const cli = new Cli(noClient, undefined, {}, out.stream, collector().stream, stdin);
  const attached = new AttachedContainer(socket, false, socket as unknown as Socket);
  const session = runSession(cli, {
    attached,
    stdin: true,
    tty: true,
    detachKeys: parseDetachKeys('ctrl-p,ctrl-q'),
  });
  stdin.end(Buffer.from('a\x10\x11b'));
  await ended;
  assert.equal(Buffer.concat(written).toString(), 'a\x10\x11b');
  socket.push('output');
  socket.push(null);
  assert.equal(await session, 'ended');
  assert.equal(out.text(), 'output');
});

test('without stdin the input is not read', async () => {
  const { socket, written } = connection();
  const stdin = new PassThrough();
  const cli = new Cli(noClient, undefined, {}, collector().stream, collector().stream, stdin);
  const attached = new AttachedContainer(socket, false, socket as unknown as Socket);
  const session = runSession(cli, { attached, stdin: false, tty: false, detachKeys: Buffer.from([0x10]) });
  stdin.write('ignored');
  socket.push(null);
  assert.equal(await session, 'ended');
  assert.equal(written.length, 0);
  assert.equal(stdin.readableLength, 'ignored'.length);
});
