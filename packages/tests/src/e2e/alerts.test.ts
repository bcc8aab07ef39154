import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AlertHistoryEntry } from '@polis/sdk';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';

interface Post {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: { status: string; alertId: string; rule: string; subject: string; message: string };
}

/** A webhook receiver on 127.0.0.1 that keeps every POST; `port` reuses a port (for "comes back"). */
async function receiver(port = 0): Promise<{ server: Server; url: string; posts: Post[] }> {
  const posts: Post[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      posts.push({ path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw) as Post['body'] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts };
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function validSignature(post: Post, secret: string): boolean {
  const header = post.headers['x-polis-signature'];
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const want = createHmac('sha256', secret).update(post.raw).digest();
  const got = Buffer.from(header.slice('sha256='.length), 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Alert rules against real containers, notified to a receiver in the test. */
describe('alerts', () => {
  let d: TestDaemon;
  let hook: Awaited<ReturnType<typeof receiver>>;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    hook = await receiver();
  });

  after(async () => {
    if (hook) await close(hook.server);
    await d?.cleanup();
  });

  it('an OOM-killed container makes exactly one signed POST, and one resolve when it is removed', async (t) => {
    ok(
      await d.polis([
        'alert',
        'add',
        'oom',
        '--on',
        'oom',
        '--webhook',
        `${hook.url}/oom`,
        '--secret',
        's3cret',
      ]),
    );
    const listed = ok(await d.polis(['alert', 'ls']));
    assert.match(listed, /oom\s+oom/);
    assert.doesNotMatch(listed, /s3cret/, 'the secret is never shown');
    const started = Date.now();
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'hog',
        '-m',
        '32m',
        '--memory-swap',
        '32m',
        'busybox',
        'sh',
        '-c',
        'a=x; while :; do a=$a$a; done',
      ]),
    );
    const posts = () => hook.posts.filter((p) => p.path === '/oom');
    const fired = await waitFor('the OOM POST', () => posts()[0]);
    t.diagnostic(`OOM notified ${Date.now() - started} ms after run`);
    assert.equal(fired.body.status, 'firing');
    assert.equal(fired.body.rule, 'oom');
    assert.ok(validSignature(fired, 's3cret'), 'X-Polis-Signature is the HMAC-SHA256 of the body');
    assert.equal(validSignature(fired, 'other'), false);
    const id = (await d.client.containers.inspect('hog')).Id;
    assert.equal(fired.body.subject, id);
    // The container is dead: no further event can fire it again; give the delivery a moment to repeat if it would.
    await waitFor('hog to be exited', async () =>
      (await d.client.containers.inspect('hog')).State.Status === 'exited' ? true : undefined,
    );
    await sleep(1500);
    assert.equal(posts().length, 1, 'one notification per firing');
    ok(await d.polis(['rm', 'hog']));
    const resolved = await waitFor('the resolve POST', () => posts()[1]);
    assert.equal(resolved.body.status, 'resolved');
    assert.equal(resolved.body.alertId, fired.body.alertId);
    assert.ok(validSignature(resolved, 's3cret'));
    const history = await d.client.alerts.history({ rule: 'oom' });
    assert.deepEqual(
      history
        .filter((h) => h.alertId === fired.body.alertId)
        .map((h) => h.kind)
        .reverse(),
      ['fired', 'delivered', 'resolved', 'delivered'],
    );
    ok(await d.polis(['alert', 'rm', 'oom']));
  });

  it('a restart loop makes exactly one POST, and a resolve when the container is removed', async () => {
    ok(await d.polis(['alert', 'add', 'loop', '--on', 'restarts 3 in 30s', '--webhook', `${hook.url}/loop`]));
    ok(
      await d.polis(['run', '-d', '--name', 'loop', '--restart', 'always', 'busybox', 'sh', '-c', 'exit 1']),
    );
    const posts = () => hook.posts.filter((p) => p.path === '/loop');
    const fired = await waitFor('the restart-loop POST', () => posts()[0]);
    assert.equal(fired.body.status, 'firing');
    assert.match(fired.body.message, /restarted 3 times/);
    assert.equal(fired.headers['x-polis-signature'], undefined, 'unsigned without a secret');
    // It keeps restarting: two more restarts after the firing, still one notification.
    await waitFor('two more restarts', async () =>
      (await d.client.containers.inspect('loop')).RestartCount >= 5 ? true : undefined,
    );
    await sleep(500);
    assert.equal(posts().length, 1, 'one notification per firing');
    ok(await d.polis(['rm', '-f', 'loop']));
    const resolved = await waitFor('the resolve POST', () => posts()[1]);
    assert.equal(resolved.body.status, 'resolved');
    assert.equal(resolved.body.alertId, fired.body.alertId);
    assert.match(resolved.body.message, /removed/);
    ok(await d.polis(['alert', 'rm', 'loop']));
  });

  it('a receiver that is down gets retries; the alert stays in history and is delivered when it comes back', async () => {
    // A port that was free a moment ago and has no listener now.
    const probe = await receiver();
    const port = Number(new URL(probe.url).port);
    await close(probe.server);
    ok(await d.polis(['alert', 'add', 'down', '--on', 'exit', '--webhook', `http://127.0.0.1:${port}/down`]));
    const run = await d.polis(['run', '--name', 'bad', 'busybox', 'sh', '-c', 'exit 3']);
    assert.equal(run.code, 3);
    const failedAttempts = async (): Promise<AlertHistoryEntry[]> =>
      (await d.client.alerts.history({ rule: 'down' })).filter((h) => h.kind === 'failed');
    await waitFor('two failed attempts', async () =>
      (await failedAttempts()).length >= 2 ? true : undefined,
    );
    const history = ok(await d.polis(['alert', 'history', 'down']));
    assert.match(history, /failed \(webhook #1\)/);
    const back = await receiver(port);
    try {
      const post = await waitFor('the retried POST', () => back.posts[0]);
      assert.equal(post.body.status, 'firing');
      assert.match(post.body.message, /exited with code 3/);
      const entries = await waitFor('the delivered entry', async () => {
        const h = await d.client.alerts.history({ rule: 'down' });
        return h.some((e) => e.kind === 'delivered') ? h : undefined;
      });
      const delivered = entries.find((e) => e.kind === 'delivered')!;
      assert.equal(delivered.alertId, post.body.alertId);
      assert.ok((delivered.attempt ?? 0) >= 3, `delivered at attempt ${delivered.attempt}`);
      assert.ok(entries.some((e) => e.kind === 'fired' && e.alertId === post.body.alertId));
      assert.equal(back.posts.length, 1, 'delivered once');
    } finally {
      await close(back.server);
    }
    ok(await d.polis(['rm', 'bad']));
    ok(await d.polis(['alert', 'rm', 'down']));
  });

  it('memory over its limit share for a while runs the command and publishes an alert event; freeing it resolves', async () => {
    const out = join(d.root, 'mem-alert');
    const since = new Date();
    ok(
      await d.polis([
        'alert',
        'add',
        'mem',
        '--on',
        'memory > 50%',
        '--for',
        '2s',
        '--event',
        '--exec',
        `cat > ${out}-$POLIS_ALERT_STATUS.json`,
      ]),
    );
    ok(await d.polis(['run', '-d', '--name', 'fat', '-m', '64m', 'busybox', 'sleep', '600']));
    const id = (await d.client.containers.inspect('fat')).Id;
    // tmpfs pages are charged to the container's memory cgroup and are not reclaimable cache.
    ok(await d.polis(['exec', 'fat', 'dd', 'if=/dev/zero', 'of=/dev/shm/x', 'bs=1M', 'count=44']));
    const firing = await waitFor('the command for the firing', () =>
      existsSync(`${out}-firing.json`) && readFileSync(`${out}-firing.json`, 'utf8').endsWith('}')
        ? (JSON.parse(readFileSync(`${out}-firing.json`, 'utf8')) as Post['body'])
        : undefined,
    );
    assert.equal(firing.subject, id);
    assert.match(firing.message, /uses \d+(\.\d+)?% of its memory limit/);
    assert.equal(existsSync(`${out}-resolved.json`), false);
    ok(await d.polis(['exec', 'fat', 'rm', '/dev/shm/x']));
    const resolved = await waitFor('the command for the resolve', () =>
      existsSync(`${out}-resolved.json`) && readFileSync(`${out}-resolved.json`, 'utf8').endsWith('}')
        ? (JSON.parse(readFileSync(`${out}-resolved.json`, 'utf8')) as Post['body'])
        : undefined,
    );
    assert.equal(resolved.alertId, firing.alertId);
    assert.match(resolved.message, /memory back to/);
    const stream = d.client.events({ since, until: new Date(), filters: { type: ['alert'] } });
    const seen: string[] = [];
    for await (const e of stream)
      seen.push(`${e.Action} ${e.Actor.Attributes?.rule} ${e.Actor.ID === firing.alertId}`);
    assert.deepEqual(seen, ['firing mem true', 'resolved mem true']);
    ok(await d.polis(['rm', '-f', 'fat']));
    ok(await d.polis(['alert', 'rm', 'mem']));
  });

  it('refuses bad rules with 400 and unknown ones with 404', async () => {
    const bad = await d.polis([
      'alert',
      'add',
      'x',
      '--on',
      'restarts many',
      '--webhook',
      'http://127.0.0.1:1/',
    ]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid alert condition/);
    const noAction = await d.polis(['alert', 'add', 'x', '--on', 'oom']);
    assert.match(noAction.stderr, /no action/);
    const missing = await d.polis(['alert', 'rm', 'nope']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no such alert/);
    await assert.rejects(
      d.client.alerts.test('nope'),
      (err: { context?: { status?: number } }) => err.context?.status === 404,
    );
    await assert.rejects(
      d.client.alerts.add({ name: 'x', on: 'cpu > 200%', event: true }),
      (err: { context?: { status?: number } }) => err.context?.status === 400,
    );
  });
});
