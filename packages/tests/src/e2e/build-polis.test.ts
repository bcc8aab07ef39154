import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { TestDaemon, mountsUnder } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { rawRequest } from '../harness/http.js';
import { freePort } from '../harness/network.js';
import { tarOf } from '../harness/tar.js';
import { waitFor } from '../harness/wait.js';
import { makeContext } from '../harness/build-context.js';

const MAX_CONTEXT = 4 * 1024 * 1024;

/** JSON lines of a build answer. */
function messages(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('polis build and the build API', () => {
  let d: TestDaemon;
  let ctx: string;
  const tmpDirs: string[] = [];
  const leftovers = async (): Promise<{ containers: string; mounts: string[]; tmp: string[] }> => ({
    containers: ok(await d.polis(['ps', '-aq'])),
    mounts: mountsUnder(d.dataRoot).filter((m) => !m.includes('/overlay/')),
    tmp: await import('node:fs/promises').then((fs) => fs.readdir(join(d.dataRoot, 'build')).catch(() => [])),
  });

  before(async () => {
    process.env.POLIS_BUILD_MAX_CONTEXT = String(MAX_CONTEXT);
    d = await TestDaemon.start();
    delete process.env.POLIS_BUILD_MAX_CONTEXT;
    await d.importBusybox();
    ctx = await mkdtemp(join(tmpdir(), 'polis-build-'));
    tmpDirs.push(ctx);
    await makeContext(ctx);
  });

  after(async () => {
    await d?.cleanup();
    for (const dir of tmpDirs) await rm(dir, { recursive: true, force: true });
  });

  it('polis build: multi-stage with build args, labels and --iidfile; the image runs', async () => {
    const iid = join(ctx, '..', `${ctx.split('/').pop()}.iid`);
    tmpDirs.push(iid);
    const res = await d.polis(
      [
        'build',
        '-t',
        'papp',
        '-t',
        'papp:v2',
        '--build-arg',
        'GREETING=hi',
        '--label',
        'team=core',
        '--iidfile',
        iid,
        ctx,
      ],
      { timeoutMs: 300_000 },
    );
    const out = ok(res, 'polis build');
    // The --label is one more step, as docker's classic builder adds it.
    assert.match(out, /Step 1\/14 : FROM busybox AS maker/);
    assert.match(out, /Successfully tagged papp:latest/);
    assert.match(out, /Successfully tagged papp:v2/);
    const id = await readFile(iid, 'utf8');
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const image = await d.client.images.inspect('papp');
    assert.equal(image.Id, id);
    assert.equal(image.Config.Labels?.team, 'core');
    assert.equal(image.Config.User, 'runner');
    assert.equal(ok(await d.polis(['run', '--rm', 'papp'])), 'hi from maker\n1234');
    // -q prints the id alone (all from cache now).
    const quiet = ok(
      await d.polis(['build', '-q', '--build-arg', 'GREETING=hi', '--label', 'team=core', ctx]),
    );
    assert.equal(quiet, id);
  });

  it('the build cache shows in system df and builder prune clears it', async () => {
    const df = (await rawRequest(d.socket, 'GET', '/system/df')).json as { BuildCache: { Size: number }[] };
    assert.ok(df.BuildCache.length > 0, JSON.stringify(df.BuildCache));
    assert.match(
      ok(await d.polis(['system', 'df'])),
      new RegExp(`^Build Cache\\s+${df.BuildCache.length}\\s+0\\s`, 'm'),
    );
    const pruned = ok(await d.polis(['builder', 'prune', '-f']));
    assert.match(pruned, /Total reclaimed space:/);
    const after = (await rawRequest(d.socket, 'GET', '/system/df')).json as { BuildCache: unknown[] };
    assert.deepEqual(after.BuildCache, []);
    const rebuilt = ok(await d.polis(['build', '-t', 'papp', ctx], { timeoutMs: 300_000 }));
    assert.doesNotMatch(rebuilt, /Using cache/);
    const direct = await rawRequest(d.socket, 'POST', '/build/prune');
    assert.equal(direct.status, 200);
    assert.ok(Array.isArray((direct.json as { CachesDeleted: unknown[] }).CachesDeleted));
  });

  it('the build API as compose calls it: gzip tar body, t=project_service, buildargs, dockerfile', async () => {
    const body = gzipSync(
      tarOf([
        {
          name: 'docker/web.Dockerfile',
          body: 'FROM busybox\nARG PORT\nRUN echo "port $PORT" > /port\nEXPOSE $PORT\nCMD ["cat", "/port"]\n',
        },
      ]),
    );
    const q = new URLSearchParams({
      t: 'proj_web',
      dockerfile: 'docker/web.Dockerfile',
      buildargs: JSON.stringify({ PORT: '8081' }),
      rm: '1',
      forcerm: '1',
      pull: '0',
      nocache: '0',
    });
    const res = await rawRequest(d.socket, 'POST', `/v1.41/build?${q}`, {
      body,
      headers: { 'Content-Type': 'application/x-tar' },
    });
    assert.equal(res.status, 200, res.text);
    const msgs = messages(res.text);
    assert.ok(
      msgs.some((m) => m.stream === 'Step 1/5 : FROM busybox\n'),
      res.text,
    );
    const aux = msgs.find((m) => m.aux !== undefined)?.aux as { ID: string };
    assert.match(aux.ID, /^sha256:/);
    assert.ok(
      msgs.some((m) => m.stream === 'Successfully tagged proj_web:latest\n'),
      res.text,
    );
    const image = await d.client.images.inspect('proj_web');
    assert.equal(image.Id, aux.ID);
    assert.deepEqual(image.Config.ExposedPorts, { '8081/tcp': {} });
    assert.equal(ok(await d.polis(['run', '--rm', 'proj_web'])), 'port 8081');
    // `polis build -` with a Dockerfile alone on stdin.
    const piped = await d.polis(['build', '-t', 'piped', '-'], {
      input: 'FROM busybox\nCMD ["echo", "from stdin"]\n',
    });
    ok(piped, 'polis build -');
    assert.equal(ok(await d.polis(['run', '--rm', 'piped'])), 'from stdin');
  });

  it('bad input: a parse error names file and line (400); a missing Dockerfile, a bad tag and a too-large context are 400s', async () => {
    const send = (entries: Parameters<typeof tarOf>[0] | Buffer, query = '') =>
      rawRequest(d.socket, 'POST', `/build${query}`, {
        body: Buffer.isBuffer(entries) ? entries : tarOf(entries),
      });
    const parse = await send([{ name: 'Dockerfile', body: 'FROM busybox\n\nFROB x\n' }]);
    assert.equal(parse.status, 400);
    assert.match(
      (parse.json as { message: string }).message,
      /line 3 of Dockerfile: unknown instruction: FROB/,
    );
    const missing = await send([{ name: 'x', body: '' }]);
    assert.equal(missing.status, 400);
    assert.match(
      (missing.json as { message: string }).message,
      /Cannot locate specified Dockerfile: Dockerfile/,
    );
    const tag = await send([{ name: 'Dockerfile', body: 'FROM busybox\n' }], '?t=Bad:Name:x');
    assert.equal(tag.status, 400);
    const big = gzipSync(
      tarOf([
        { name: 'Dockerfile', body: 'FROM busybox\n' },
        { name: 'big', body: 'x'.repeat(MAX_CONTEXT + 1024) },
      ]),
    );
    const large = await send(big);
    assert.equal(large.status, 400);
    assert.match((large.json as { message: string }).message, /build context is larger than/);
    const notTar = await send(Buffer.from('this is not a tar archive at all'.repeat(40)));
    assert.equal(notTar.status, 400);
    assert.deepEqual(await leftovers(), { containers: '', mounts: [], tmp: [] });
  });

  it('ADD of an unreachable URL is a clear error; ADD of a local tar is unpacked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polis-build-'));
    tmpDirs.push(dir);
    await writeFile(join(dir, 'files.tar'), tarOf([{ name: 'inner/hello.txt', body: 'from the tar' }]));
    await writeFile(
      join(dir, 'Dockerfile'),
      'FROM busybox\nADD files.tar /opt/\nCMD ["cat", "/opt/inner/hello.txt"]\n',
    );
    ok(await d.polis(['build', '-t', 'added', dir]));
    assert.equal(ok(await d.polis(['run', '--rm', 'added'])), 'from the tar');
    const port = await freePort();
    await writeFile(join(dir, 'Dockerfile'), `FROM busybox\nADD http://127.0.0.1:${port}/nothing.txt /x\n`);
    const res = await d.polis(['build', dir]);
    assert.notEqual(res.code, 0);
    assert.ok(
      res.stderr.includes(`failed to fetch http://127.0.0.1:${port}/nothing.txt: ECONNREFUSED`),
      res.stderr,
    );
  });

  it('stages that do not depend on each other run in parallel; the output still reads stage by stage', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polis-build-'));
    tmpDirs.push(dir);
    await writeFile(
      join(dir, 'Dockerfile'),
      [
        'FROM busybox AS slow',
        'RUN sleep 20 && echo slow > /slow',
        'FROM busybox AS quick',
        'RUN echo quick > /quick',
        'FROM busybox',
        'COPY --from=slow /slow /out/',
        'COPY --from=quick /quick /out/',
        'CMD ["cat", "/out/slow", "/out/quick"]',
      ].join('\n'),
    );
    // Events have whole seconds: start in a second of our own, so an earlier test's containers stay out.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 50));
    const since = Math.floor(Date.now() / 1000);
    const out = ok(await d.polis(['build', '--no-cache', '-t', 'par', dir], { timeoutMs: 300_000 }));
    const until = Math.ceil(Date.now() / 1000) + 1;
    // Stage by stage in the output, whatever order they finished in.
    const at = (s: string): number => out.indexOf(s);
    assert.ok(at('Step 2/8 : RUN sleep 20') < at('Step 3/8 : FROM busybox AS quick'), out);
    assert.ok(at('Step 4/8 : RUN echo quick') < at('Step 5/8 : FROM busybox\n'), out);
    // The two RUN containers overlapped: both started before either died.
    const q = new URLSearchParams({
      since: String(since),
      until: String(until),
      filters: JSON.stringify({ type: ['container'] }),
    });
    const events = messages((await rawRequest(d.socket, 'GET', `/events?${q}`)).text) as {
      Action: string;
      Actor: { ID: string };
    }[];
    const ids = [...new Set(events.filter((e) => e.Action === 'start').map((e) => e.Actor.ID))];
    assert.equal(ids.length, 2, JSON.stringify(events.map((e) => e.Action)));
    const index = (action: string, id: string): number =>
      events.findIndex((e) => e.Action === action && e.Actor.ID === id);
    const lastStart = Math.max(...ids.map((id) => index('start', id)));
    const firstDie = Math.min(...ids.map((id) => index('die', id)));
    assert.ok(
      firstDie >= 0 && lastStart < firstDie,
      JSON.stringify(events.map((e) => `${e.Action} ${e.Actor.ID.slice(0, 6)}`)),
    );
    assert.equal(ok(await d.polis(['run', '--rm', 'par'])), 'slow\nquick');
  });

  it('a client that goes away mid-RUN leaves no container, mount or temp dir', async () => {
    const body = tarOf([{ name: 'Dockerfile', body: 'FROM busybox\nRUN echo started; sleep 60\n' }]);
    const req = request({ socketPath: d.socket, method: 'POST', path: '/build?nocache=1' }, (res) => {
      res.on('data', () => undefined);
      res.on('error', () => undefined);
    });
    req.on('error', () => undefined);
    req.end(body);
    // The RUN's container is up: the client goes away.
    await waitFor('the RUN container to run', async () => ok(await d.polis(['ps', '-q'])) !== '', 120_000);
    req.destroy();
    let last: unknown;
    await waitFor(
      'no container, mount or temp dir after the disconnect',
      async () => {
        const left = await leftovers();
        last = left;
        return left.containers === '' && left.mounts.length === 0 && left.tmp.length === 0 ? left : undefined;
      },
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(last)}\n${d.log.slice(-3000)}`);
    });
  });
});
