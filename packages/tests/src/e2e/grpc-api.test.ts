import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  credentials,
  loadPackageDefinition,
  status as grpcStatusCode,
  type ClientReadableStream,
  type GrpcObject,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { POLIS_PROTO_DIR, POLIS_PROTO_FILE } from '@polis/core/proto-path';
import { after, before, describe, it } from 'node:test';
import { PolisError } from '@polis/core';
import { connect, type PolisApi } from '@polis/sdk';
import { TestDaemon } from '../harness/daemon.js';
import { rawRequest } from '../harness/http.js';
import { REPO_ROOT } from '../harness/paths.js';
import { TestRegistry } from '../harness/registry.js';
import { pushBusybox, pushLargeImage } from '../harness/registry-images.js';
import { largestTempFile, tempFiles } from '../harness/registry-fixture.js';

/** An example of packages/sdk/examples, loaded as a user would run it (plain ESM over the built sdk). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function example(name: string): Promise<any> {
  return import(pathToFileURL(join(REPO_ROOT, 'packages', 'sdk', 'examples', name)).href);
}

async function statsComponent(d: TestDaemon): Promise<string> {
  return (await rawRequest(d.socket, 'GET', '/polis/v1/health')).text;
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The Polis gRPC API (`polis.v1`) and the SDK's one client over both transports, against a real polisd. */
describe('gRPC API and the SDK over both transports', () => {
  let d: TestDaemon;
  let registry: TestRegistry;
  let transports: [string, PolisApi][];
  let grpc: PolisApi;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    registry = await TestRegistry.start();
    await pushBusybox(registry, 'examples/busybox:1');
    grpc = connect({ transport: 'grpc', socketPath: join(d.execRoot, 'polis-grpc.sock') });
    transports = [
      ['rest', connect({ host: d.host, tls: false })],
      ['grpc', grpc],
    ];
  });

  after(async () => {
    for (const [, api] of transports ?? []) api.close();
    await d?.cleanup();
    await registry?.stop();
  });

  it('serves the gRPC socket 0660 beside the REST socket', async () => {
    const { stat } = await import('node:fs/promises');
    const s = await stat(join(d.execRoot, 'polis-grpc.sock'));
    assert.ok(s.isSocket());
    assert.equal(s.mode & 0o777, 0o660);
  });

  it('exec with interactive stdin over a bidirectional stream: output and exit code 3', async () => {
    const { Id } = await grpc.containers.create({ Image: 'busybox', Cmd: ['sleep', '300'] });
    await grpc.containers.start(Id);
    try {
      const session = grpc.containers.exec(Id, ['sh'], { stdin: true });
      session.write('echo hi; exit 3\n');
      let out = '';
      for await (const chunk of session) out += chunk.data.toString();
      assert.equal(out, 'hi\n');
      assert.equal(await session.exitCode, 3);
    } finally {
      await grpc.containers.remove(Id, { force: true });
    }
  });

  it('a cancelled stats stream stops the sampling the server did for it', async () => {
    const { Id } = await grpc.containers.create({ Image: 'busybox', Cmd: ['sleep', '300'] });
    await grpc.containers.start(Id);
    try {
      assert.match(await statsComponent(d), /idle \(no stats client\)/);
      const abort = new AbortController();
      let samples = 0;
      for await (const s of grpc.containers.stats(Id, { signal: abort.signal })) {
        assert.equal(s.id, Id);
        samples++;
        assert.match(await statsComponent(d), /sampling 1 containers/);
        if (samples === 2) abort.abort();
      }
      assert.equal(samples, 2);
      await until('the sampler to go idle', async () =>
        /idle \(no stats client\)/.test(await statsComponent(d)),
      );
    } finally {
      await grpc.containers.remove(Id, { force: true });
    }
  });

  it('an events stream with filters gets only the matching events', async () => {
    const abort = new AbortController();
    const seen: { Type: string; Action: string; Actor: { Attributes: Record<string, string> } }[] = [];
    const reading = (async () => {
      for await (const e of grpc.events({
        filters: { type: ['container'], label: ['pick=me'] },
        signal: abort.signal,
      })) {
        seen.push(e);
        if (e.Action === 'destroy') abort.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    const other = await grpc.containers.create({ Image: 'busybox', Cmd: ['true'], Labels: { pick: 'not' } });
    await grpc.containers.remove(other.Id);
    const mine = await grpc.containers.create({ Image: 'busybox', Cmd: ['true'], Labels: { pick: 'me' } });
    await grpc.containers.remove(mine.Id);
    await reading;
    assert.deepEqual(
      seen.map((e) => e.Action),
      ['create', 'destroy'],
    );
    assert.ok(seen.every((e) => e.Type === 'container' && e.Actor.Attributes.pick === 'me'));
  });

  it('an unknown id is NotFound with the Polis code, over both transports', async () => {
    for (const [name, api] of transports) {
      await assert.rejects(api.containers.inspect('no-such-container'), (err: unknown) => {
        assert.ok(err instanceof PolisError, name);
        assert.equal(err.code, 'container.not_found', name);
        return true;
      });
      await assert.rejects(api.images.inspect('no-such-image:1'), { code: 'image.not_found' });
    }
    // The gRPC status itself: NOT_FOUND (5) from core's one table.
    await assert.rejects(grpc.volumes.inspect('no-such-volume'), (err: unknown) => {
      assert.ok(err instanceof PolisError);
      assert.equal(err.code, 'volume.not_found');
      assert.equal(err.context?.grpcStatus, 5);
      return true;
    });
  });

  it('example run-and-logs: runs a container and streams its logs (both transports)', async () => {
    const { runAndStreamLogs } = await example('run-and-logs.mjs');
    for (const [name, api] of transports) {
      const chunks: string[] = [];
      const r = await runAndStreamLogs(
        api,
        'busybox',
        ['sh', '-c', 'echo one; sleep 0.3; echo two >&2; exit 4'],
        {
          onChunk: (c: { stream: string; data: Buffer }) => chunks.push(`${c.stream}:${c.data.toString()}`),
        },
      );
      assert.equal(r.exitCode, 4, name);
      assert.deepEqual(chunks, ['stdout:one\n', 'stderr:two\n'], name);
    }
  });

  it('example job-queue: runs every job with at most N containers at once (both transports)', async () => {
    const { runJobs } = await example('job-queue.mjs');
    for (const [name, api] of transports) {
      const jobs = ['echo a', 'sleep 0.5; echo b', 'echo c; exit 2', 'sleep 0.2; echo d', 'echo e'];
      const { results, maxRunning } = await runJobs(api, 'busybox', jobs, { concurrency: 2 });
      assert.deepEqual(
        results.map((r: { output: string; exitCode: number }) => `${r.exitCode}:${r.output.trim()}`),
        ['0:a', '0:b', '2:c', '0:d', '0:e'],
        name,
      );
      assert.ok(maxRunning <= 2 && maxRunning >= 1, `${name}: ${maxRunning}`);
      assert.deepEqual(await api.containers.list({ all: true }), [], name);
    }
  });

  it('example restart-dead: restarts the labelled container that dies, not the others (both transports)', async () => {
    const { restartWhatDies } = await example('restart-dead.mjs');
    for (const [name, api] of transports) {
      const abort = new AbortController();
      const restarted: string[] = [];
      const watching = restartWhatDies(api, 'restart=yes', {
        signal: abort.signal,
        onRestart: (id: string) => {
          restarted.push(id);
          abort.abort();
        },
      });
      await new Promise((r) => setTimeout(r, 200));
      const plain = await api.containers.create({ Image: 'busybox', Cmd: ['true'] });
      await api.containers.start(plain.Id);
      await api.containers.wait(plain.Id);
      const dies = await api.containers.create({
        Image: 'busybox',
        Cmd: ['sh', '-c', 'if [ -e /ran ]; then exec sleep 300; fi; touch /ran; exit 1'],
        Labels: { restart: 'yes' },
      });
      await api.containers.start(dies.Id);
      assert.equal(await watching, 1, name);
      assert.deepEqual(restarted, [dies.Id], name);
      await until(
        'the restarted container to run',
        async () => (await api.containers.inspect(dies.Id)).State?.Running === true,
      );
      assert.equal((await api.containers.inspect(plain.Id)).State?.Running, false, name);
      await api.containers.remove(dies.Id, { force: true });
      await api.containers.remove(plain.Id, { force: true });
    }
  });

  it('example pull-progress: pulls from the local registry with a progress bar (both transports)', async () => {
    const { pullWithProgress } = await example('pull-progress.mjs');
    const reference = registry.ref('examples/busybox:1');
    for (const [name, api] of transports) {
      const lines: string[] = [];
      const { id, layers } = await pullWithProgress(api, reference, { write: (l: string) => lines.push(l) });
      assert.match(id, /^sha256:[0-9a-f]{64}$/, name);
      assert.equal(layers, 1, name);
      assert.ok(
        lines.some((l) => /Download complete|Pull complete/.test(l)),
        `${name}: ${lines.join('\n')}`,
      );
      assert.ok(
        lines.some((l) => /\[=*>? *\] [\d.]+\/[\d.]+ MB/.test(l)),
        `${name}: ${lines.join('\n')}`,
      );
      await api.images.remove(reference);
    }
  });

  it('attach over a bidirectional stream: stdin in, output out, the exit code last (both transports)', async () => {
    for (const [name, api] of transports) {
      const { Id } = await api.containers.create({
        Image: 'busybox',
        Cmd: ['sh', '-c', 'read line; echo "got $line"; exit 7'],
        OpenStdin: true,
        StdinOnce: true,
      });
      try {
        const session = api.containers.attach(Id, { stdin: true });
        await api.containers.start(Id);
        session.write('hello\n');
        let out = '';
        for await (const chunk of session) out += chunk.data.toString();
        assert.equal(out, 'got hello\n', name);
        assert.equal(await session.exitCode, 7, name);
      } finally {
        await api.containers.remove(Id, { force: true });
      }
    }
  });

  it('a cancelled pull stops downloading: no image, no partial blobs left', async () => {
    await pushLargeImage(registry, 'examples/large:1', 2, 32);
    const reference = registry.ref('examples/large:1');
    const abort = new AbortController();
    const pulling = (async () => {
      for await (const p of grpc.images.pull(reference, { signal: abort.signal })) void p;
    })();
    await until('a partly downloaded layer', async () => largestTempFile(d.dataRoot) > 1024 * 1024);
    abort.abort();
    await pulling;
    // Had the download gone on, the image would be complete once its temp files are gone.
    await until('the partial downloads to be removed', async () => tempFiles(d.dataRoot).length === 0);
    await assert.rejects(grpc.images.inspect(reference), { code: 'image.not_found' });
  });

  it('a deadline reaches the work: a stats call past its deadline stops the sampling for it', async () => {
    const { Id } = await grpc.containers.create({ Image: 'busybox', Cmd: ['sleep', '300'] });
    await grpc.containers.start(Id);
    try {
      // A plain grpc-js client, as any language's would be: the deadline is the protocol's own.
      const definition = loadSync(POLIS_PROTO_FILE, { includeDirs: [POLIS_PROTO_DIR], keepCase: false });
      const v1 = (loadPackageDefinition(definition).polis as GrpcObject).v1 as GrpcObject;
      const Containers = v1.Containers as ServiceClientConstructor;
      const client = new Containers(
        `unix://${join(d.execRoot, 'polis-grpc.sock')}`,
        credentials.createInsecure(),
      );
      let samples = 0;
      const status = await new Promise<number>((resolve) => {
        const call = client.Stats(
          { id: Id },
          { deadline: Date.now() + 2500 },
        ) as ClientReadableStream<unknown>;
        call.on('data', () => samples++);
        call.on('error', (err: ServiceError) => resolve(err.code));
        call.on('end', () => resolve(0));
      });
      client.close();
      assert.equal(status, grpcStatusCode.DEADLINE_EXCEEDED);
      assert.ok(samples >= 1);
      await until('the sampler to go idle', async () =>
        /idle \(no stats client\)/.test(await statsComponent(d)),
      );
    } finally {
      await grpc.containers.remove(Id, { force: true });
    }
  });

  it('serves its OpenAPI document at GET /polis/v1/openapi.json', async () => {
    const res = await rawRequest(d.socket, 'GET', '/polis/v1/openapi.json');
    assert.equal(res.status, 200);
    const doc = res.json as { openapi: string; paths: Record<string, unknown> };
    assert.equal(doc.openapi, '3.0.3');
    assert.ok(doc.paths['/containers/{id}/json']);
  });

  it('networks and volumes over gRPC: create, inspect, list, remove', async () => {
    const net = await grpc.networks.create({ Name: 'grpc-net' });
    assert.equal((await grpc.networks.inspect('grpc-net')).Id, net.Id);
    assert.ok((await grpc.networks.list()).some((n) => n.Name === 'grpc-net'));
    await grpc.networks.remove(net.Id);
    const vol = await grpc.volumes.create({ Name: 'grpc-vol' });
    assert.equal(vol.Name, 'grpc-vol');
    assert.ok(((await grpc.volumes.list()).Volumes ?? []).some((v) => v.Name === 'grpc-vol'));
    await grpc.volumes.remove('grpc-vol');
    await assert.rejects(grpc.volumes.inspect('grpc-vol'), { code: 'volume.not_found' });
  });
});
