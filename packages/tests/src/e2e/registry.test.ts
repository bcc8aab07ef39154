import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { lines, ok } from '../harness/expect.js';
import { RegistryEnv, tempFiles } from '../harness/registry-fixture.js';
import {
  pushBusybox,
  pushMultiPlatform,
  pushZstdImage,
  ZSTD_FILE,
  ZSTD_TEXT,
} from '../harness/registry-images.js';
import type { RegistryOptions } from '../harness/registry.js';
import { registryDigest, registryLayers } from '../harness/skopeo.js';

async function env(t: TestContext, options: RegistryOptions = {}): Promise<RegistryEnv> {
  const e = await RegistryEnv.start(options);
  t.after(() => e.cleanup());
  return e;
}

const inspect = async (e: RegistryEnv, ref: string, format: string): Promise<string> =>
  ok(await e.polis(['image', 'inspect', '-f', format, ref]), `image inspect ${ref}`);

/** `digest: sha256:…` from docker-style push output (`TAG: digest: sha256:… size: N`). */
function pushedDigest(out: string): string {
  const m = /digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(out);
  assert.ok(m, `no digest in push output:\n${out}`);
  return m[1]!;
}

/** Pull and push against the CNCF registry, driven through the polis CLI. */
describe('registry: polis pull and push', () => {
  it('push busybox, same digest as skopeo sees; pull by tag and by digest; run', async (t) => {
    const e = await env(t);
    const id = await e.d.importBusybox();
    const ref = e.ref('polis/busybox:1');
    ok(await e.polis(['tag', 'busybox', ref]));

    const push = await e.polis(['push', ref]);
    const pushOut = ok(push, 'push');
    assert.match(pushOut, new RegExp(`The push refers to repository \\[${e.reg.host}/polis/busybox\\]`));
    assert.match(pushOut, /: Pushed$/m);
    const digest = pushedDigest(pushOut);
    assert.equal(await registryDigest(ref), digest);

    const rows = lines(ok(await e.polis(['images', '--digests'])));
    assert.match(rows[0]!, /^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID\s+CREATED\s+SIZE$/);
    assert.ok(
      rows.some(
        (r) => r.startsWith(`${e.reg.host}/polis/busybox `) && r.includes(` 1 `) && r.includes(digest),
      ),
      rows.join('\n'),
    );
    const repoDigests = JSON.parse(await inspect(e, ref, '{{json .RepoDigests}}')) as string[];
    assert.ok(repoDigests.includes(`${e.reg.host}/polis/busybox@${digest}`), repoDigests.join(' '));

    // Pushing again finds every layer already there.
    const again = ok(await e.polis(['push', ref]));
    assert.match(again, /: Layer already exists$/m);
    assert.equal(pushedDigest(again), digest);

    ok(await e.polis(['rmi', ref, 'busybox']));
    assert.notEqual((await e.polis(['image', 'inspect', id])).code, 0);

    const pull = ok(await e.polis(['pull', ref]), 'pull by tag');
    assert.match(pull, /: Pull complete$/m);
    assert.match(pull, new RegExp(`^Digest: ${digest}$`, 'm'));
    assert.match(pull, new RegExp(`^Status: Downloaded newer image for ${ref}$`, 'm'));
    assert.equal(lines(pull).at(-1), ref);
    // The pushed config comes back byte for byte: the same image id.
    assert.equal(await inspect(e, ref, '{{.Id}}'), id);

    const same = ok(await e.polis(['pull', ref]));
    assert.match(same, new RegExp(`^Status: Image is up to date for ${ref}$`, 'm'));

    ok(await e.polis(['rmi', ref]));
    const byDigest = `${e.reg.host}/polis/busybox@${digest}`;
    const pulled = ok(await e.polis(['pull', byDigest]), 'pull by digest');
    assert.match(pulled, new RegExp(`^Digest: ${digest}$`, 'm'));
    assert.equal(await inspect(e, byDigest, '{{.Id}}'), id);

    const run = await e.polis(['run', '--rm', ref, 'echo', 'ok']);
    assert.equal(run.stdout, 'ok\n', run.stderr);
    assert.equal(run.code, 0);
    assert.match(run.stderr, new RegExp(`Unable to find image '${ref}' locally`));
    assert.deepEqual(tempFiles(e.d.dataRoot), []);
  });

  it('multi-platform index: the host platform is chosen; --platform picks the other', async (t) => {
    const e = await env(t);
    const ref = e.ref('multi/busybox:1');
    const multi = await pushMultiPlatform(e.reg, 'multi/busybox:1');

    const pull = ok(await e.polis(['pull', ref]));
    assert.match(pull, new RegExp(`^Digest: ${multi.index}$`, 'm'));
    assert.equal(await inspect(e, ref, '{{.Os}}/{{.Architecture}}'), `linux/${multi.hostArch}`);
    assert.equal(await inspect(e, ref, '{{index .Config.Labels "polis.test.platform"}}'), multi.hostArch);
    const run = await e.polis(['run', '--rm', ref, 'sh', '-c', 'echo $PLATFORM']);
    assert.equal(run.stdout, `${multi.hostArch}\n`, run.stderr);

    ok(await e.polis(['pull', '--platform', `linux/${multi.otherArch}`, ref]));
    assert.equal(await inspect(e, ref, '{{.Os}}/{{.Architecture}}'), `linux/${multi.otherArch}`);
    assert.ok(
      (await inspect(e, ref, '{{json .Config.Env}}')).includes(`PLATFORM=${multi.otherArch}`),
      'the other platform config',
    );
  });

  it('an image with a zstd-compressed layer pulls and runs a file from that layer', async (t) => {
    const e = await env(t);
    const ref = e.ref('zstd/busybox:1');
    await pushZstdImage(e.reg, 'zstd/busybox:1');
    ok(await e.polis(['pull', ref]));
    const run = await e.polis(['run', '--rm', ref, 'cat', ZSTD_FILE]);
    assert.equal(run.stdout, ZSTD_TEXT, run.stderr);
    assert.equal(run.code, 0);
  });

  for (const auth of ['htpasswd', 'token'] as const) {
    it(`${auth} auth: refused without credentials, works after polis login`, async (t) => {
      const e = await env(t, { auth });
      const [user, password] = e.reg.creds!.split(':') as [string, string];
      await e.d.importBusybox();
      const ref = e.ref('private/busybox:1');
      ok(await e.polis(['tag', 'busybox', ref]));

      const anonPush = await e.polis(['push', ref]);
      assert.notEqual(anonPush.code, 0, anonPush.stdout);
      assert.match(anonPush.stderr, /unauthorized|authentication required|denied/i);

      const wrong = await e.polis(['login', e.reg.host, '-u', user, '-p', 'wrong-password']);
      assert.notEqual(wrong.code, 0);
      assert.match(wrong.stderr, /unauthorized|incorrect username or password|authentication/i);

      const login = await e.polis(['login', e.reg.host, '-u', user, '-p', password]);
      assert.match(ok(login, 'login'), /Login Succeeded/);
      const cfg = JSON.parse(readFileSync(join(e.configDir, 'config.json'), 'utf8')) as {
        auths: Record<string, { auth: string }>;
      };
      assert.equal(Buffer.from(cfg.auths[e.reg.host]!.auth, 'base64').toString(), `${user}:${password}`);

      const digest = pushedDigest(ok(await e.polis(['push', ref]), 'push after login'));
      assert.equal(await registryDigest(ref, e.reg.creds), digest);
      if (auth === 'token') {
        // The daemon went through the token server with the stored credentials, asking for push.
        const asked = e.reg.tokenServer!.requests.filter((r) => r.user === user).flatMap((r) => r.scopes);
        assert.ok(asked.includes('repository:private/busybox:pull,push'), asked.join(' '));
      }
      ok(await e.polis(['rmi', ref, 'busybox']));
      ok(await e.polis(['pull', ref]), 'pull after login');
      assert.equal(ok(await e.polis(['run', '--rm', ref, 'echo', 'ok'])), 'ok');

      assert.match(
        ok(await e.polis(['logout', e.reg.host])),
        new RegExp(`Removing login credentials for ${e.reg.host}`),
      );
      ok(await e.polis(['rmi', ref]));
      const anonPull = await e.polis(['pull', ref]);
      assert.notEqual(anonPull.code, 0);
      assert.match(anonPull.stderr, /unauthorized|authentication required|denied/i);
    });
  }

  it('two concurrent pulls of the same image both succeed', async (t) => {
    const e = await env(t);
    const ref = e.ref('conc/busybox:1');
    const digest = await pushBusybox(e.reg, 'conc/busybox:1');
    const [a, b] = await Promise.all([e.polis(['pull', ref]), e.polis(['pull', ref])]);
    for (const res of [a, b])
      assert.match(ok(res, 'concurrent pull'), new RegExp(`^Digest: ${digest}$`, 'm'));
    const rows = lines(ok(await e.polis(['images', '--format', '{{.Repository}}:{{.Tag}}'])));
    assert.deepEqual(rows, [ref]);
    assert.equal(ok(await e.polis(['run', '--rm', ref, 'echo', 'ok'])), 'ok');
    assert.deepEqual(tempFiles(e.d.dataRoot), []);
  });

  it('layers shared with an image already present print "Already exists"', async (t) => {
    const e = await env(t);
    await pushBusybox(e.reg, 'shared/a:1', { Labels: { which: 'a' } });
    await pushBusybox(e.reg, 'shared/b:1', { Labels: { which: 'b' } });
    const [layer] = await registryLayers(e.ref('shared/b:1'));
    const short = layer!.digest.slice('sha256:'.length, 'sha256:'.length + 12);

    const first = ok(await e.polis(['pull', e.ref('shared/a:1')]));
    assert.match(first, new RegExp(`^${short}: Pull complete$`, 'm'));
    const second = ok(await e.polis(['pull', e.ref('shared/b:1')]));
    assert.match(second, new RegExp(`^${short}: Already exists$`, 'm'));
    assert.doesNotMatch(second, /Pull complete/);
    assert.equal(await inspect(e, e.ref('shared/b:1'), '{{index .Config.Labels "which"}}'), 'b');
  });
});
