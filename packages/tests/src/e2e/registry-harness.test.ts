import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { busyboxTar } from '../harness/busybox.js';
import { HostileRegistry } from '../harness/registry-hostile.js';
import { pushBusybox, pushMultiPlatform, pushZstdImage } from '../harness/registry-images.js';
import { TestRegistry } from '../harness/registry.js';
import { OciLayout, registryLayers, skopeoInspect, skopeoPush } from '../harness/skopeo.js';

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const basic = (creds: string): string => `Basic ${Buffer.from(creds).toString('base64')}`;
const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** The registry harness itself, checked with fetch and skopeo (no Polis involved). */
describe('test registry harness', () => {
  describe('no auth', () => {
    let reg: TestRegistry;
    before(async () => {
      reg = await TestRegistry.start();
    });
    after(async () => {
      await reg?.stop();
    });

    it('answers /v2/ and stores what skopeo pushes', async () => {
      assert.equal((await fetch(`http://${reg.host}/v2/`)).status, 200);
      const digest = await pushBusybox(reg, 'h/busybox:1', { Labels: { a: 'b' } });
      const res = await fetch(`http://${reg.host}/v2/h/busybox/manifests/1`, { headers: { Accept: ACCEPT } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('docker-content-digest'), digest);
      assert.equal(sha(Buffer.from(await res.arrayBuffer())), digest);
    });

    it('a corrupted blob is served with another digest; a truncated one breaks off', async () => {
      await pushBusybox(reg, 'h/tamper:1');
      const [layer] = await registryLayers(reg.ref('h/tamper:1'));
      assert.ok(layer);
      const url = `http://${reg.host}/v2/h/tamper/blobs/${layer.digest}`;
      assert.equal(sha(Buffer.from(await (await fetch(url)).arrayBuffer())), layer.digest);
      await reg.corruptBlob(layer.digest);
      const bad = Buffer.from(await (await fetch(url)).arrayBuffer());
      assert.equal(bad.length, layer.size);
      assert.notEqual(sha(bad), layer.digest);
      await reg.truncateBlob(layer.digest);
      const res = await fetch(url);
      assert.equal(res.headers.get('content-length'), String(layer.size));
      await assert.rejects(res.arrayBuffer());
    });

    it('a multi-platform index and a zstd layer', async () => {
      const multi = await pushMultiPlatform(reg, 'h/multi:1');
      const index = JSON.parse((await skopeoInspect(reg.ref('h/multi:1'), { raw: true })).stdout) as {
        mediaType: string;
        manifests: { digest: string; platform: { architecture: string } }[];
      };
      assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
      assert.deepEqual(
        index.manifests.map((m) => [m.digest, m.platform.architecture]),
        [
          [multi.host, multi.hostArch],
          [multi.other, multi.otherArch],
        ],
      );
      await pushZstdImage(reg, 'h/zstd:1');
      const layers = await registryLayers(reg.ref('h/zstd:1'));
      assert.deepEqual(
        layers.map((l) => l.mediaType),
        ['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+zstd'],
      );
    });
  });

  for (const auth of ['htpasswd', 'token'] as const) {
    describe(`${auth} auth`, () => {
      let reg: TestRegistry;
      before(async () => {
        reg = await TestRegistry.start({ auth });
      });
      after(async () => {
        await reg?.stop();
      });

      it('asks for credentials and accepts the right ones', async () => {
        const res = await fetch(`http://${reg.host}/v2/`);
        assert.equal(res.status, 401);
        const challenge = res.headers.get('www-authenticate') ?? '';
        let authorization = basic(reg.creds!);
        if (auth === 'token') {
          assert.match(
            challenge,
            /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="polis-test-registry"/,
          );
          const wrong = await fetch(reg.tokenServer!.realm, {
            headers: { Authorization: basic('tester:nope') },
          });
          assert.equal(wrong.status, 401);
          const tok = await fetch(reg.tokenServer!.realm, { headers: { Authorization: authorization } });
          authorization = `Bearer ${((await tok.json()) as { token: string }).token}`;
        } else {
          assert.match(challenge, /^Basic realm="polis-test"/);
          const wrong = await fetch(`http://${reg.host}/v2/`, {
            headers: { Authorization: basic('tester:x') },
          });
          assert.equal(wrong.status, 401);
        }
        assert.equal(
          (await fetch(`http://${reg.host}/v2/`, { headers: { Authorization: authorization } })).status,
          200,
        );
      });

      it('skopeo pushes with credentials only', async () => {
        const layout = await OciLayout.create();
        try {
          const src = await layout.tag(
            'x',
            await layout.addImage({ layers: [{ tar: await busyboxTar(), compression: 'gzip' }] }),
          );
          await assert.rejects(
            skopeoPush(src, reg.ref('a/x:1')),
            /unauthorized|authentication required|denied/i,
          );
          await skopeoPush(src, reg.ref('a/x:1'), { creds: reg.creds });
          assert.equal((await skopeoInspect(reg.ref('a/x:1'), { creds: reg.creds })).code, 0);
          const anon = await skopeoInspect(reg.ref('a/x:1'));
          assert.notEqual(anon.code, 0);
          assert.match(anon.stderr, /unauthorized|authentication required|denied/i);
        } finally {
          await layout.remove();
        }
      });
    });
  }

  it('the hostile server serves what it is told', async () => {
    const hostile = await HostileRegistry.start();
    try {
      const digest = hostile.manifest('lie/x', 'v1', 'application/vnd.oci.image.manifest.v1+json', {
        schemaVersion: 2,
        manifests: [],
      });
      const res = await fetch(`http://${hostile.host}/v2/lie/x/manifests/v1`);
      assert.equal(res.headers.get('content-type'), 'application/vnd.oci.image.manifest.v1+json');
      assert.equal(res.headers.get('docker-content-digest'), digest);
      assert.deepEqual(hostile.requests, ['GET /v2/lie/x/manifests/v1']);
    } finally {
      await hostile.stop();
    }
  });
});
