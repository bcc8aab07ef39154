import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { busyboxTar } from '../harness/busybox.js';
import { ok } from '../harness/expect.js';
import { RegistryEnv, storeSnapshot, tempFiles } from '../harness/registry-fixture.js';
import { HostileRegistry } from '../harness/registry-hostile.js';
import { pushBusybox, pushImage } from '../harness/registry-images.js';
import { signingCert } from '../harness/registry-token.js';
import { filesTar, hostArch, registryLayers } from '../harness/skopeo.js';
import { runCommand, type CommandResult } from '../harness/run.js';

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

  it('a layer body longer than its descriptor is cut off at its size, not stored to the end', async (t) => {
    const e = await env(t);
    const hostile = await HostileRegistry.start();
    t.after(() => hostile.stop());
    const layer = `sha256:${'ab'.repeat(32)}`;
    const configBytes = Buffer.from(
      JSON.stringify({
        architecture: hostArch(),
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [layer] },
      }),
    );
    const config = hostile.blob('big/img', configBytes);
    hostile.manifest('big/img', '1', OCI_MANIFEST, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: config,
        size: configBytes.length,
      },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: 1024 }],
    });
    // 1 GiB for a layer that says it has 1 KiB: a pull that reads it all fills the disk.
    hostile.endlessBlob('big/img', layer, 1024 * 1024 * 1024);
    const res = await failedPullLeavesNoTrace(e, `${hostile.host}/big/img:1`);
    assert.match(res.stderr, /size mismatch .*more than the 1024 bytes expected/, res.stderr);
    // What the registry got out before the pull let go: socket buffers, not the body.
    t.diagnostic(`sent before the cut: ${hostile.sentBytes} bytes`);
    assert.ok(hostile.sentBytes < 32 * 1024 * 1024, `${hostile.sentBytes} bytes were read`);
  });

  it('a token granted to one credential is not reused for another password or for no credential', async (t) => {
    const e = await RegistryEnv.start({ auth: 'token' });
    t.after(() => e.cleanup());
    const [user, password] = e.reg.creds!.split(':') as [string, string];
    await pushBusybox(e.reg, 'private/busybox:1');
    const ref = e.ref('private/busybox:1');
    const useCredentials = (pass: string | undefined): Promise<void> => {
      const auths =
        pass === undefined
          ? {}
          : { [e.reg.host]: { auth: Buffer.from(`${user}:${pass}`).toString('base64') } };
      return writeFile(join(e.configDir, 'config.json'), JSON.stringify({ auths }));
    };
    await useCredentials(password);
    ok(await e.polis(['pull', ref]), 'pull with the right password');
    ok(await e.polis(['rmi', ref]));
    for (const [what, pass] of [
      ['a wrong password', 'wrong-password'],
      ['no credential', undefined],
    ] as const) {
      await useCredentials(pass);
      const res = await e.polis(['pull', ref]);
      assert.notEqual(res.code, 0, `pull with ${what} succeeded:\n${res.stdout}`);
      assert.match(res.stderr, /unauthorized|authentication required|denied/i, what);
    }
  });

  it('credentials are not sent on when a registry redirects to plain HTTP on the same host', async (t) => {
    const e = await env(t);
    // Ports 443 and 80 of one loopback address: https://IP and http://IP differ only in scheme.
    const ip = `127.${100 + Math.floor(Math.random() * 100)}.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    const cert = await signingCert();
    const tls = {
      cert: await readFile(cert.certFile, 'utf8'),
      key: cert.key.export({ format: 'pem', type: 'pkcs8' }).toString(),
    };
    const registry = await HostileRegistry.start({ address: ip, port: 443, tls, basicAuth: 'tester:s3cret' });
    t.after(() => registry.stop());
    const plain = await HostileRegistry.start({ address: ip, port: 80 });
    t.after(() => plain.stop());
    const work = await mkdtemp(join(tmpdir(), 'polis-redirect-'));
    t.after(() => rm(work, { recursive: true, force: true }));
    const layerTar = await readFile(await filesTar(work, 'l', { 'hello.txt': 'hi\n' }));
    const layer = registry.blob('r/img', layerTar);
    plain.blob('r/img', layerTar);
    registry.redirect(`/v2/r/img/blobs/${layer}`, `http://${ip}/v2/r/img/blobs/${layer}`);
    const configBody = Buffer.from(
      JSON.stringify({
        architecture: hostArch(),
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [layer] },
      }),
    );
    const config = registry.blob('r/img', configBody);
    registry.manifest('r/img', '1', OCI_MANIFEST, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: config,
        size: configBody.length,
      },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: layerTar.length }],
    });
    const auth = Buffer.from('tester:s3cret').toString('base64');
    await writeFile(join(e.configDir, 'config.json'), JSON.stringify({ auths: { [ip]: { auth } } }));
    ok(await e.polis(['pull', `${ip}/r/img:1`], { timeoutMs: PULL_TIMEOUT_MS }), 'pull through the redirect');
    assert.ok(
      registry.seen.some((r) => r.authorization === `Basic ${auth}`),
      'the registry itself got the credentials',
    );
    assert.ok(plain.seen.length > 0, 'the blob came from the plain-HTTP host');
    assert.deepEqual(
      plain.seen.filter((r) => r.authorization !== undefined),
      [],
      'no credentials went over plain HTTP',
    );
  });

  it('a layer carrying trusted.overlay.opaque cannot hide the layers below it', async (t) => {
    const e = await env(t);
    const work = await mkdtemp(join(tmpdir(), 'polis-xattr-'));
    t.after(() => rm(work, { recursive: true, force: true }));
    // The layer's /bin claims to be opaque: overlayfs would hide busybox's /bin behind it.
    const root = join(work, 'root');
    await mkdir(join(root, 'bin'), { recursive: true });
    await writeFile(join(root, 'bin', 'marker'), 'x');
    for (const path of [join(root, 'bin'), join(root, 'bin', 'marker')]) {
      const set = await runCommand('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path]);
      assert.equal(set.code, 0, set.stderr);
    }
    const tar = join(work, 'opaque.tar');
    const made = await runCommand('tar', ['--xattrs', '--xattrs-include=*', '-cf', tar, '-C', root, '.']);
    assert.equal(made.code, 0, made.stderr);
    const listed = await runCommand('tar', ['--xattrs', '--xattrs-include=*', '-tvvf', tar]);
    assert.match(listed.stdout, /trusted\.overlay\.opaque/, 'the layer carries the xattr');
    await pushImage(e.reg, 'xattr/opaque:1', {
      layers: [
        { tar: await busyboxTar(), compression: 'gzip' },
        { tar, compression: 'gzip' },
      ],
    });
    const ref = e.ref('xattr/opaque:1');
    ok(await e.polis(['pull', ref]));
    const unpacked = await runCommand('sh', [
      '-c',
      'ls -d "$1"/overlay/*/diff/bin/marker',
      'sh',
      e.d.dataRoot,
    ]);
    const marker = unpacked.stdout.trim();
    assert.ok(marker !== '', `the layer is unpacked: ${unpacked.stderr}`);
    for (const path of [marker, join(marker, '..')]) {
      const attrs = await runCommand('getfattr', ['--absolute-names', '-d', '-m', '-', path]);
      assert.doesNotMatch(attrs.stdout, /trusted\./, `${path}: ${attrs.stdout}`);
    }
    const ls = ok(await e.polis(['run', '--rm', ref, '/bin/busybox', 'ls', '/bin']));
    assert.match(ls, /^marker$/m);
    assert.match(ls, /^busybox$/m, "busybox's /bin is still there");
  });
});
