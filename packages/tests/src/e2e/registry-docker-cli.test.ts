import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { ok } from '../harness/expect.js';
import { RegistryEnv } from '../harness/registry-fixture.js';
import { pushBusybox } from '../harness/registry-images.js';
import type { RegistryOptions } from '../harness/registry.js';
import { registryDigest } from '../harness/skopeo.js';

async function env(t: TestContext, options: RegistryOptions = {}): Promise<RegistryEnv> {
  const e = await RegistryEnv.start(options);
  t.after(() => e.cleanup());
  return e;
}

/** `TAG: digest: sha256:… size: N` as docker push prints it. */
function pushedDigest(out: string): string {
  const m = /digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(out);
  assert.ok(m, `no digest in push output:\n${out}`);
  return m[1]!;
}

/** The real docker CLI (DOCKER_HOST=unix://… of polisd) pulling from and pushing to a real registry. */
describe('registry: docker CLI against polisd', () => {
  it('docker pull, tag, push', async (t) => {
    const e = await env(t);
    const src = e.ref('dk/busybox:1');
    const digest = await pushBusybox(e.reg, 'dk/busybox:1', { Labels: { from: 'skopeo' } });

    const pull = ok(await e.docker(['pull', src]), 'docker pull');
    assert.match(pull, new RegExp(`Digest: ${digest}`));
    assert.match(pull, new RegExp(`Status: Downloaded newer image for ${src}`));
    const label = ok(await e.docker(['image', 'inspect', '-f', '{{index .Config.Labels "from"}}', src]));
    assert.equal(label, 'skopeo');

    const copy = e.ref('dk/copy:2');
    ok(await e.docker(['tag', src, copy]), 'docker tag');
    const push = ok(await e.docker(['push', copy]), 'docker push');
    assert.match(push, new RegExp(`The push refers to repository \\[${e.reg.host}/dk/copy\\]`));
    const pushed = pushedDigest(push);
    assert.equal(await registryDigest(copy), pushed);
    assert.equal(ok(await e.docker(['run', '--rm', copy, 'echo', 'ok'])), 'ok');
  });

  it('docker save | docker load keeps the image id, and the loaded image runs', async (t) => {
    const e = await env(t);
    const ref = e.ref('dk/saved:1');
    await pushBusybox(e.reg, 'dk/saved:1');
    ok(await e.docker(['pull', ref]));
    const id = ok(await e.docker(['image', 'inspect', '-f', '{{.Id}}', ref]));

    const tar = join(e.configDir, 'saved.tar');
    ok(await e.docker(['save', '-o', tar, ref]), 'docker save');
    ok(await e.docker(['rmi', ref]));
    assert.notEqual((await e.docker(['image', 'inspect', id])).code, 0);

    const load = ok(await e.shell(`docker load < '${tar}'`), 'docker load');
    assert.match(load, new RegExp(`Loaded image: ${ref}`));
    assert.equal(ok(await e.docker(['image', 'inspect', '-f', '{{.Id}}', ref])), id);
    assert.equal(ok(await e.docker(['run', '--rm', ref, 'echo', 'loaded'])), 'loaded');

    // The same through a pipe, as people type it (the image is there: load keeps it and its name).
    const piped = ok(await e.shell(`docker save '${ref}' | docker load`), 'docker save | docker load');
    assert.match(piped, new RegExp(`Loaded image: ${ref}`));
    assert.equal(ok(await e.docker(['image', 'inspect', '-f', '{{.Id}}', ref])), id);
  });

  it('docker login to an htpasswd registry, then push and pull', async (t) => {
    const e = await env(t, { auth: 'htpasswd' });
    const [user, password] = e.reg.creds!.split(':') as [string, string];
    await e.d.importBusybox();
    const ref = e.ref('dk/private:1');
    ok(await e.docker(['tag', 'busybox', ref]));

    const denied = await e.docker(['push', ref]);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr + denied.stdout, /unauthorized|authentication required/i);

    const bad = await e.docker(['login', e.reg.host, '-u', user, '--password-stdin'], { input: 'nope\n' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unauthorized|incorrect|authentication/i);

    const login = await e.docker(['login', e.reg.host, '-u', user, '--password-stdin'], {
      input: `${password}\n`,
    });
    assert.match(ok(login, 'docker login'), /Login Succeeded/);
    const cfg = JSON.parse(readFileSync(join(e.configDir, 'config.json'), 'utf8')) as {
      auths: Record<string, { auth: string }>;
    };
    assert.equal(Buffer.from(cfg.auths[e.reg.host]!.auth, 'base64').toString(), `${user}:${password}`);

    const digest = pushedDigest(ok(await e.docker(['push', ref]), 'docker push after login'));
    assert.equal(await registryDigest(ref, e.reg.creds), digest);
    ok(await e.docker(['rmi', ref, 'busybox']));
    const pull = ok(await e.docker(['pull', ref]), 'docker pull after login');
    assert.match(pull, new RegExp(`Digest: ${digest}`));
    assert.equal(ok(await e.docker(['run', '--rm', ref, 'echo', 'ok'])), 'ok');
  });
});
