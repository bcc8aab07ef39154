import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proc } from '@polis/core';

const MAIN = join(import.meta.dirname, 'main.js');

/** One multiplexed stdout frame per line, as polisd sends a log. */
function frames(lines: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 1; i <= lines; i++) {
    const payload = Buffer.from(`${String(i).padStart(7, '0')} ${'x'.repeat(1000)}\n`);
    const header = Buffer.alloc(8);
    header[0] = 1;
    header.writeUInt32BE(payload.length, 4);
    out.push(header, payload);
  }
  return Buffer.concat(out);
}

test('polis logs into a pipe read slower than it is written: the output is whole when polis exits', async () => {
  // A pipe holds 64 KiB; the rest Node queues in the process (under its 16 KiB high-water mark, so
  // nothing pauses the download and polis reaches its end while the queue still waits).
  const lines = 75;
  const body = frames(lines);
  let sent: () => void = () => undefined;
  const allSent = new Promise<void>((r) => (sent = r));
  const server = createServer((req, res) => {
    if (req.url?.includes('/logs')) {
      res.writeHead(200, { 'content-type': 'application/vnd.docker.multiplexed-stream' });
      res.end(body, () => sent());
    } else if (req.url?.includes('/_ping')) res.end('OK');
    else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `no ${req.url}` }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = await mkdtemp(join(tmpdir(), 'polis-cli-'));
  try {
    const { port } = server.address() as { port: number };
    // A shell's pipe (Node's own child pipes are socket pairs with far larger buffers) to a reader that
    // starts only once polis has exited, or (when polis waits for its output to be taken, as it must) a
    // second after the daemon's answer has gone out.
    const script =
      '{ "$NODE" "$MAIN" -H "$HOST" logs x; echo $? > "$DIR/code"; : > "$DIR/read"; } | ' +
      '{ while [ ! -e "$DIR/read" ]; do sleep 0.02; done; exec cat; }';
    void allSent
      .then(() => new Promise((r) => setTimeout(r, 1000)))
      .then(() => writeFile(join(dir, 'read'), ''))
      .catch(() => undefined);
    const { stdout } = await proc.run('sh', ['-c', script], {
      env: { ...process.env, NODE: process.execPath, MAIN, HOST: `tcp://127.0.0.1:${port}`, DIR: dir },
    });
    const code = (await readFile(join(dir, 'code'), 'utf8')).trim();
    assert.equal(code, '0');
    const got = stdout.split('\n').filter((l) => l !== '');
    assert.equal(got.length, lines, `${got.length} of ${lines} lines, the last ${got.at(-1)?.slice(0, 7)}`);
    assert.equal(got.at(-1), `${String(lines).padStart(7, '0')} ${'x'.repeat(1000)}`);
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
