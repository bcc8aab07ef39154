import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lines, ok } from '../harness/expect.js';
import { postJson } from '../harness/http.js';
import {
  corruptBlobs,
  largestTempFile,
  RegistryEnv,
  storedDigest,
  tempFiles,
} from '../harness/registry-fixture.js';
import { pushLargeImage } from '../harness/registry-images.js';
import { registryLayers } from '../harness/skopeo.js';
import { waitFor } from '../harness/wait.js';

const LAYERS = 4;
const MIB_PER_LAYER = 32;
/** Kill polisd once a blob being downloaded has passed this size: well into the pull. */
const KILL_AT = 12 * 1024 * 1024;

/** kill -9 of polisd in the middle of a large pull, then a pull again on the restarted daemon. */
describe('pull: crash of polisd midway', () => {
  it('the pull after the restart succeeds, runs, and the blob store is consistent', async (t) => {
    const e = await RegistryEnv.start();
    t.after(() => e.cleanup());
    const ref = e.ref('big/random:1');
    await pushLargeImage(e.reg, 'big/random:1', LAYERS, MIB_PER_LAYER);

    const pulling = e.polis(['pull', ref], { timeoutMs: 120_000 });
    await waitFor(
      'a partly downloaded layer in content/tmp',
      () => largestTempFile(e.d.dataRoot) > KILL_AT,
      60_000,
      2,
    );
    await e.d.stopProcess('SIGKILL');
    const interrupted = await pulling;
    assert.notEqual(interrupted.code, 0, `the pull finished before the kill:\n${interrupted.stdout}`);
    assert.notEqual(interrupted.stderr.trim(), '', 'the CLI says why the pull stopped');

    await e.d.startProcess();
    // The half-pulled image is not an image.
    assert.notEqual((await e.polis(['image', 'inspect', ref])).code, 0);
    assert.deepEqual(tempFiles(e.d.dataRoot), [], 'the restarted daemon cleared its temp files');

    const pull = ok(await e.polis(['pull', ref], { timeoutMs: 120_000 }), 'pull after restart');
    assert.match(pull, new RegExp(`^Status: Downloaded newer image for ${ref}$`, 'm'));
    const run = await e.polis(['run', '--rm', ref, 'sh', '-c', 'ls /data; wc -c /data/big1']);
    assert.equal(run.code, 0, run.stderr);
    const expected = Array.from({ length: LAYERS }, (_, i) => `big${i + 1}`);
    assert.deepEqual(lines(run.stdout).slice(0, LAYERS), expected);
    assert.match(run.stdout, new RegExp(`^\\s*${MIB_PER_LAYER * 1024 * 1024}\\s+/data/big1$`, 'm'));

    // Every blob the image references is stored whole; nothing stored is corrupt; no temp files.
    const id = ok(await e.polis(['image', 'inspect', '-f', '{{.Id}}', ref]));
    const repoDigests = JSON.parse(
      ok(await e.polis(['image', 'inspect', '-f', '{{json .RepoDigests}}', ref])),
    );
    const manifest = (repoDigests as string[])[0]!.split('@')[1]!;
    const layers = (await registryLayers(ref)).map((l) => l.digest);
    for (const digest of [id, manifest, ...layers]) {
      assert.equal(await storedDigest(e.d.dataRoot, digest), digest, `blob ${digest}`);
    }
    assert.deepEqual(await corruptBlobs(e.d.dataRoot), []);
    assert.deepEqual(tempFiles(e.d.dataRoot), []);
    // The daemon's own check agrees.
    const verify = await postJson(e.d.socket, '/polis/v1/images/verify', {});
    assert.equal(verify.status, 200, verify.text);
    assert.deepEqual(verify.json, { Problems: [] });
  });
});
