import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolisError } from '@polis/core/errors';
import { describe } from './errors.js';

test('error lines: daemon answers, in-band stream errors, a lost connection', () => {
  assert.equal(
    describe(new PolisError('image.not_found', 'No such image: x', { context: { status: 404 } })),
    'Error response from daemon: No such image: x',
  );
  assert.equal(
    describe(new PolisError('internal', 'digest mismatch', { context: { inBand: true } })),
    'digest mismatch',
  );
  const cutShort = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
  assert.match(describe(cutShort), /connection to the daemon was lost.*\(aborted\)/);
  // A message that merely reads "aborted" (the daemon's or a command's own) is not a lost connection.
  assert.equal(describe(new Error('aborted')), 'Error: aborted');
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  assert.match(describe(reset), /connection to the daemon was lost/);
  assert.equal(describe(new Error('other')), 'Error: other');
});

test("a response cut short by the daemon is told by Node's error code, not its words", async () => {
  const { createServer, get } = await import('node:http');
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('x');
    setTimeout(() => req.socket.destroy(), 20);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as { port: number };
    const err = await new Promise<Error>((resolve) =>
      get({ host: '127.0.0.1', port }, (res) => {
        res.resume();
        res.on('error', resolve);
      }),
    );
    assert.match(describe(err), /connection to the daemon was lost/);
  } finally {
    server.close();
  }
});
