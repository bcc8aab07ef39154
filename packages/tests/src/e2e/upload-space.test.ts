import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mountsUnder, TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { tempFiles } from '../harness/registry-fixture.js';
import { runCommand } from '../harness/run.js';
import { randomTar } from '../harness/skopeo.js';

const MESSAGE = 'no space left on the data root';

interface Answer {
  status: number;
  message: string;
}

/**
 * Uploads `body` over the daemon's socket, with a Content-Length or chunked (as a pipe is sent). The
 * daemon may answer before it has read everything: the answer counts, the rest of the write may fail.
 */
function upload(socketPath: string, path: string, body: Buffer, chunked: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-tar' };
    if (!chunked) headers['Content-Length'] = String(body.length);
    const req = request({ socketPath, method: 'POST', path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let message = text;
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? text;
        } catch {
          // a JSON-lines answer: kept as text
        }
        resolve({ status: res.statusCode ?? 0, message });
      });
    });
    req.on('error', (err) => {
      // A refused upload's socket may break while the rest is still being written; wait for the answer.
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE') reject(err);
    });
    const step = 256 * 1024;
    let at = 0;
    const pump = (): void => {
      while (at < body.length) {
        const more = req.write(body.subarray(at, at + step));
        at += step;
        if (!more) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

async function freeBytes(dir: string): Promise<number> {
  const res = await runCommand('df', ['-B1', '--output=avail', dir]);
  return Number(res.stdout.trim().split('\n').pop());
}

describe('uploads on a small data root (20 MiB tmpfs)', () => {
  it('an import or load that does not fit answers 507 with a clear message, leaves nothing, and a small import still works', async (t) => {
    const d = await TestDaemon.start();
    const work = await mkdtemp(join(tmpdir(), 'polis-space-'));
    t.after(async () => {
      await d.cleanup();
      for (const target of mountsUnder(d.dataRoot).reverse()) await runCommand('umount', ['-l', target]);
      await rm(work, { recursive: true, force: true });
    });
    await d.stopProcess();
    const mount = await runCommand('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', d.dataRoot]);
    assert.equal(mount.code, 0, mount.stderr);
    await d.startProcess();
    const idle = await freeBytes(d.dataRoot);

    const big = await readFile(await randomTar(work, 'big', 30));
    // Fits the upload check (12 < 20 MiB) but not the stored blob and the unpacked layer together.
    const middle = await readFile(await randomTar(work, 'middle', 12));
    const cases: [string, string, Buffer, boolean][] = [
      ['import, declared too big', '/images/create?fromSrc=-&repo=big', big, false],
      ['import, chunked', '/images/create?fromSrc=-&repo=big', big, true],
      ['import, fits the upload but not the layer', '/images/create?fromSrc=-&repo=mid', middle, false],
      ['load, declared too big', '/images/load', big, false],
      ['load, chunked', '/images/load', big, true],
    ];
    for (const [what, path, body, chunked] of cases) {
      const started = Date.now();
      const res = await upload(d.socket, path, body, chunked);
      assert.equal(res.status, 507, `${what}: ${res.status} ${res.message}`);
      assert.equal(res.message, MESSAGE, what);
      assert.deepEqual(tempFiles(d.dataRoot), [], `${what}: temp files left`);
      // Nothing of the upload stays on the data root (a little slack for the database's own pages).
      const free = await freeBytes(d.dataRoot);
      assert.ok(free > idle - 512 * 1024, `${what}: ${idle - free} bytes still used`);
      t.diagnostic(`${what}: 507 after ${Date.now() - started} ms`);
    }
    assert.equal(ok(await d.polis(['images', '-q'])), '');

    // The small import still works, and the image is whole.
    await d.importBusybox();
    assert.match(ok(await d.polis(['images', '--format', '{{.Repository}}:{{.Tag}}'])), /^busybox:latest$/m);
  });
});
