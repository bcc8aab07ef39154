import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { ok } from '../harness/expect.js';
import { RegistryEnv, storeSnapshot, tempFiles } from '../harness/registry-fixture.js';
import { HostileRegistry } from '../harness/registry-hostile.js';
import { pushImage } from '../harness/registry-images.js';
import { filesTar, registryLayers } from '../harness/skopeo.js';
import type { CommandResult } from '../harness/run.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** A refused pull of a small image is quick; past this it counts as hung. */
const PULL_TIMEOUT_MS = 20_000;

async function env(t: TestContext): Promise<RegistryEnv> {
  const e = await RegistryEnv.start();
  t.after(() => e.cleanup());
  await e.d.importBusybox();
  return e;
}

/** Pushes a one-layer image of its own (random file, so no layer is shared with busybox). */
async function pushOwnLayer(e: RegistryEnv, repoTag: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'polis-hostile-'));
  try {
    const tar = await filesTar(work, 'own', { 'own/data.bin': randomBytes(256 * 1024) });
    await pushImage(e.reg, repoTag, { layers: [{ tar, compression: 'gzip' }] });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const [layer] = await registryLayers(e.ref(repoTag));
  return layer!.digest;
}

/** A pull that must fail and leave the images, the blob store and the unpacked layers as they were. */
async function failedPullLeavesNoTrace(e: RegistryEnv, ref: string): Promise<CommandResult> {
  const images = async (): Promise<string> =>
    ok(await e.polis(['images', '-a', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}']));
  const imagesBefore = await images();
  const storeBefore = storeSnapshot(e.d.dataRoot);
  const res = await e.polis(['pull', ref], { timeoutMs: PULL_TIMEOUT_MS });
  assert.notEqual(res.code, 137, `pull of ${ref} hung (killed after ${PULL_TIMEOUT_MS} ms):\n${res.stdout}`);
  assert.notEqual(res.code, 0, `pull of ${ref} succeeded:\n${res.stdout}`);
  assert.equal(await images(), imagesBefore);
  assert.deepEqual(storeSnapshot(e.d.dataRoot), storeBefore);
  assert.deepEqual(tempFiles(e.d.dataRoot), []);
  assert.notEqual((await e.polis(['image', 'inspect', ref])).code, 0);
  return res;
}

/** What a registry (or something posing as one) may send that a pull must refuse. */
describe('registry: hostile content', () => {
  it('a layer whose bytes do not match its digest', async (t) => {
    const e = await env(t);
    const layer = await pushOwnLayer(e, 'bad/digest:1');
    await e.reg.corruptBlob(layer);
    const res = await failedPullLeavesNoTrace(e, e.ref('bad/digest:1'));
    assert.match(res.stderr, /digest/i);
    assert.ok(res.stderr.includes(layer), `the error names the layer ${layer}:\n${res.stderr}`);
  });

  it('a truncated layer (the registry breaks off the transfer)', async (t) => {
    const e = await env(t);
    const layer = await pushOwnLayer(e, 'bad/short:1');
    await e.reg.truncateBlob(layer);
    const res = await failedPullLeavesNoTrace(e, e.ref('bad/short:1'));
    assert.match(res.stderr, /unexpected end|truncated|short|premature|closed|incomplete|size|EOF/i);
  });

  it('a manifest that lies about its media type', async (t) => {
    const e = await env(t);
    const hostile = await HostileRegistry.start();
    t.after(() => hostile.stop());
    const config = hostile.blob('lie/img', Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{}}'));
    const configDesc = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 10 };
    const lies: [string, string, unknown, RegExp][] = [
      // Content-Type says image manifest, the body says index.
      ['header', OCI_MANIFEST, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }, /media ?type/i],
      // Content-Type and mediaType say image manifest; the body is an index.
      [
        'body',
        OCI_MANIFEST,
        {
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          manifests: [{ ...configDesc, mediaType: OCI_MANIFEST }],
        },
        /media ?type/i,
      ],
      // A Docker v2 manifest served with a mediaType of OCI.
      [
        'docker',
        DOCKER_MANIFEST,
        { schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDesc, layers: [] },
        /media ?type/i,
      ],
    ];
    for (const [tag, contentType, body, expected] of lies) {
      hostile.manifest('lie/img', tag, contentType, body);
      const res = await failedPullLeavesNoTrace(e, `${hostile.host}/lie/img:${tag}`);
      assert.match(res.stderr, expected, `${tag}: ${res.stderr}`);
    }
    assert.ok(
      !hostile.requests.some((r) => r.includes('/blobs/')),
      `no blob fetched for a lying manifest: ${hostile.requests.join(', ')}`,
    );
  });
});
