import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { pushBusybox } from '../harness/registry-images.js';
import { TestRegistry } from '../harness/registry.js';

/**
 * Docker Hub names through a mirror on loopback. This machine has no route to Docker Hub, so a pull
 * of `busybox` that succeeds came from the mirror; the digest confirms which content it was.
 */
describe('registry: a Docker Hub mirror', () => {
  it('polisd --registry-mirror pulls docker.io images from the mirror', async (t) => {
    const mirror = await TestRegistry.start();
    t.after(() => mirror.stop());
    const digest = await pushBusybox(mirror, 'library/busybox:latest', { Labels: { from: 'mirror' } });
    const d = await TestDaemon.start({ extraArgs: ['--registry-mirror', `http://${mirror.host}`] });
    t.after(() => d.cleanup());

    const pull = await d.polis(['pull', 'busybox'], { timeoutMs: 60_000 });
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, new RegExp(`Digest: ${digest}`));
    assert.match(pull.stdout, /docker\.io\/library\/busybox:latest/);
    const label = ok(await d.polis(['image', 'inspect', '-f', '{{index .Config.Labels "from"}}', 'busybox']));
    assert.equal(label, 'mirror');
    const digests = ok(await d.polis(['image', 'inspect', '-f', '{{json .RepoDigests}}', 'busybox']));
    assert.deepEqual(JSON.parse(digests), [`busybox@${digest}`]);
    assert.equal(ok(await d.polis(['run', '--rm', 'busybox', 'echo', 'via mirror'])), 'via mirror');
  });
});
