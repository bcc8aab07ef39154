import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { proc } from '@polis/core';
import { frame } from './testing/frames.js';

/**
 * The SDK as the CLI's single executable runs it: under Bun, whole answers, attach/exec/wait streams and
 * backup files go through Bun's fetch (`Transport.fetchStream`, `downloadToFile`, `jsonFromFile`). A
 * script run by the Bun the build uses drives a PolisClient against a local server that answers as the
 * daemon does, cuts one answer short, and echoes what it was sent.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bun = join(root, 'node_modules/@oven/bun-linux-x64-baseline/bin/bun');

const BACKUP = Buffer.alloc(300_000, 7);

function daemonLike(): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      const body = Buffer.concat(chunks);
      if (url === '/v1.41/version') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"Version":"9.9"}');
      } else if (url === '/v1.41/containers/missing/json') {
        res
          .writeHead(404, { 'Content-Type': 'application/json' })
          .end('{"message":"No such container: missing","code":"container.not_found"}');
      } else if (url === '/v1.41/polis/v1/volumes/whole/backup') {
        res.writeHead(200, { 'Content-Type': 'application/zstd' }).end(BACKUP);
      } else if (url === '/v1.41/polis/v1/volumes/cut/backup') {
        res.writeHead(200, { 'Content-Type': 'application/zstd' });
        res.write(BACKUP);
        setTimeout(() => res.socket?.destroy(), 100);
      } else if (url.startsWith('/v1.41/polis/v1/volumes/restore')) {
        const sum = createHash('sha256').update(body).digest('hex');
        res
          .writeHead(201, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ Name: `${body.length}:${sum}:${req.headers['content-type']}` }));
      } else if (url === '/v1.41/exec/e1/start') {
        res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
        res.write(frame(1, 'out\n'));
        setTimeout(() => res.end(frame(2, `err ${body.toString()}\n`)), 50);
      } else if (url.startsWith('/v1.41/containers/c1/wait')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        setTimeout(() => res.end('{"StatusCode":3}'), 100);
      } else {
        res.writeHead(404).end('{"message":"unknown route"}');
      }
    });
  });
}

const SCRIPT = `
import { PolisClient } from ${JSON.stringify(join(root, 'packages/sdk/dist/engine.js'))};
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
const [sock, dir] = process.argv.slice(2);
const client = new PolisClient({ host: 'unix://' + sock });
const out = {};
out.version = (await client.version()).Version;
try { await client.containers.inspect('missing'); } catch (e) { out.missing = [e.code, e.message]; }
const file = dir + '/whole.zst';
out.downloaded = await client.volumes.backupToFile('whole', file);
out.downloadedSha = createHash('sha256').update(readFileSync(file)).digest('hex');
try { await client.volumes.backupToFile('cut', dir + '/cut.zst'); out.cut = 'resolved'; } catch (e) { out.cut = 'rejected'; }
out.restored = (await client.volumes.restoreFile(file)).Name;
try { await client.volumes.restoreFile(dir + '/nope.zst'); } catch (e) { out.restoreMissing = e.code; }
const attached = await client.exec.start('e1', { stdin: false });
const text = { 1: '', 2: '' };
const sink = (n) => ({ write: (c) => { text[n] += c.toString(); return true; }, once: () => undefined });
await attached.demuxTo(sink(1), sink(2));
out.exec = [text[1], text[2]];
const t0 = Date.now();
const pending = await client.containers.startWait('c1', { condition: 'removed' });
out.waitRegisteredEarly = Date.now() - t0 < 90;
out.wait = (await pending.result).StatusCode;
console.log(JSON.stringify(out));
`;

test(
  'under Bun the SDK fetches: answers, errors, streams, a cut backup, a file upload',
  { skip: !existsSync(bun) && 'no bun (npm ci)' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polis-sdk-bun-'));
    const sock = join(dir, 'd.sock');
    const server = daemonLike();
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      const script = join(dir, 'drive.mjs');
      writeFileSync(script, SCRIPT);
      const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        // Not spawnSync: the server in this process must answer meanwhile.
        const child = proc.start(bun, [script, sock, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (status: number | null) => resolve({ status, stdout, stderr }));
      });
      assert.equal(run.status, 0, run.stderr);
      const out = JSON.parse(run.stdout) as Record<string, unknown>;
      const sha = createHash('sha256').update(BACKUP).digest('hex');
      assert.equal(out.version, '9.9');
      assert.deepEqual(out.missing, ['container.not_found', 'No such container: missing']);
      assert.equal(out.downloaded, true);
      assert.equal(out.downloadedSha, sha);
      assert.equal(out.cut, 'rejected', 'a backup cut short must fail, not pass for a whole one');
      assert.equal(out.restored, `${BACKUP.length}:${sha}:application/zstd`);
      assert.equal(out.restoreMissing, 'ENOENT');
      assert.deepEqual(out.exec, ['out\n', 'err {"Detach":false,"Tty":false}\n']);
      assert.equal(out.waitRegisteredEarly, true, 'startWait resolves on the headers, before the exit');
      assert.equal(out.wait, 3);
      assert.ok(readdirSync(dir).includes('whole.zst'));
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
