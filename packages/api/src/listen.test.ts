import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenUnix } from './listen.js';

test('the API socket is 0660 from the moment it exists, even under umask 0, and the umask is restored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polis-listen-'));
  const socket = join(dir, 'api.sock');
  const server = createServer((_req, res) => res.end('OK'));
  // 'listening' fires before listenUnix gets control back: what a client could see at the first moment.
  let modeAtListen = -1;
  server.once('listening', () => {
    modeAtListen = statSync(socket).mode & 0o777;
  });
  const original = process.umask(0);
  try {
    await listenUnix(server, socket);
    assert.equal(process.umask(0), 0, 'the umask of the process is as it was');
  } finally {
    process.umask(original);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(modeAtListen.toString(8), '660');
});
