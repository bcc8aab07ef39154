import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { postJson, rawRequest } from '../harness/http.js';

/** Create-body fields reach the real container (crun on this host), or the create says why not. */
describe('create fields', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  /** Creates from a raw API body, runs it attached and removes it; returns its output and the create reply. */
  async function run(
    cmd: string[],
    host: Record<string, unknown> = {},
    config: Record<string, unknown> = {},
  ): Promise<{ out: string; warnings: string[]; inspect: Record<string, unknown> }> {
    const res = await postJson(d.socket, '/v1.41/containers/create', {
      Image: 'busybox',
      Cmd: cmd,
      ...config,
      HostConfig: host,
    });
    assert.equal(res.status, 201, res.text);
    const { Id: id, Warnings: warnings } = res.json as { Id: string; Warnings: string[] | null };
    try {
      const inspect = (await rawRequest(d.socket, 'GET', `/v1.41/containers/${id}/json`)).json as Record<
        string,
        unknown
      >;
      const out = ok(await d.polis(['start', '-a', id]), 'start -a');
      return { out, warnings: warnings ?? [], inspect };
    } finally {
      await rawRequest(d.socket, 'DELETE', `/v1.41/containers/${id}?force=1`);
    }
  }

  function mountOptions(mounts: string, target: string): string[] {
    const line = mounts.split('\n').find((l) => l.split(' ')[1] === target);
    assert.ok(line, `${target} in /proc/mounts:\n${mounts}`);
    return (line.split(' ')[3] as string).split(',');
  }

  it('a tmpfs with options keeps nosuid, nodev and noexec (HostConfig.Tmpfs and Mounts)', async () => {
    const { out } = await run(['cat', '/proc/mounts'], {
      Tmpfs: { '/x': 'size=10m' },
      Mounts: [{ Type: 'tmpfs', Target: '/y', TmpfsOptions: { SizeBytes: 1 << 20 } }],
    });
    for (const target of ['/x', '/y']) {
      const options = mountOptions(out, target);
      for (const flag of ['nosuid', 'nodev', 'noexec'])
        assert.ok(options.includes(flag), `${target}: ${options}`);
    }
    assert.ok(mountOptions(out, '/x').includes('size=10240k'));
  });

  it('a tmpfs that says exec is executable, and keeps nosuid and nodev', async () => {
    const { out } = await run(['cat', '/proc/mounts'], { Tmpfs: { '/x': 'exec,size=1m' } });
    const options = mountOptions(out, '/x');
    assert.ok(!options.includes('noexec'), options.join(','));
    assert.ok(options.includes('nosuid') && options.includes('nodev'), options.join(','));
  });

  for (const [what, body, message] of [
    ['a nameless variable', { Env: ['=x'] }, /^invalid environment variable: =x$/],
    ['an empty variable', { Env: [''] }, /^invalid environment variable: $/],
    ['a bind over /', { HostConfig: { Binds: ['/tmp:/'] } }, /destination can't be '\/'/],
    ['a 300-character hostname', { Hostname: 'h'.repeat(300) }, /^invalid hostname format/],
  ] as const) {
    it(`create refuses ${what} with a 400 and makes nothing`, async () => {
      const before = (await rawRequest(d.socket, 'GET', '/v1.41/containers/json?all=1')).text;
      const res = await postJson(d.socket, '/v1.41/containers/create', {
        Image: 'busybox',
        Cmd: ['true'],
        ...body,
      });
      assert.equal(res.status, 400, res.text);
      assert.match((res.json as { message: string }).message, message);
      assert.equal((await rawRequest(d.socket, 'GET', '/v1.41/containers/json?all=1')).text, before);
    });
  }

  it('a 70 KB name is a 400 with a JSON message, and the daemon keeps serving', async () => {
    const res = await postJson(d.socket, `/v1.41/containers/create?name=${'n'.repeat(70 * 1024)}`, {
      Image: 'busybox',
    });
    assert.equal(res.status, 400, res.text);
    assert.equal(typeof (res.json as { message?: unknown }).message, 'string');
    assert.equal((await rawRequest(d.socket, 'GET', '/_ping')).status, 200);
  });

  it('Docker routes Polis lacks are 501 "not implemented by Polis"', async () => {
    for (const [method, path] of [
      ['GET', '/v1.41/swarm'],
      ['GET', '/v1.41/services'],
      ['GET', '/v1.41/plugins'],
      ['GET', '/v1.41/system/df'],
    ] as const) {
      const res = await rawRequest(d.socket, method, path);
      assert.equal(res.status, 501, `${path}: ${res.text}`);
      assert.match((res.json as { message: string }).message, /is not implemented by Polis$/);
    }
  });
});
