/* eslint-disable @typescript-eslint/no-explicit-any -- the CRI replies are untyped protobuf objects */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { CriClient, channelText, podConfig, streamChannels } from '../harness/cri.js';
import { freePort } from '../harness/network.js';
import { pushBusybox } from '../harness/registry-images.js';
import { DEFAULT_USERS, TestRegistry } from '../harness/registry.js';

const NOT_FOUND = 5;

/** A CRI suite in the manner of critest, against a real polisd on a CRI socket of its own. */
describe('CRI runtime.v1 (critest-style)', { timeout: 600_000 }, () => {
  let d: TestDaemon;
  let reg: TestRegistry;
  let cri: CriClient;
  let logRoot: string;
  let image = '';
  const [user, password] = Object.entries(DEFAULT_USERS)[0]!;

  before(async () => {
    reg = await TestRegistry.start({ auth: 'htpasswd' });
    // The CRI socket defaults to <exec root>/cri.sock (/run/polis/cri.sock for the default exec root).
    d = await TestDaemon.start();
    cri = new CriClient(join(d.execRoot, 'cri.sock'));
    logRoot = await mkdtemp(join(d.root, 'pods-'));
    image = reg.ref('cri/busybox:1');
    await pushBusybox(reg, 'cri/busybox:1');
  });

  after(async () => {
    await cri?.removeAllPods();
    cri?.close();
    if (process.env.CRI_TEST_LOG) process.stderr.write(d?.log ?? '');
    await d?.cleanup();
    await reg?.stop();
  });

  async function runPod(name: string, extra: Record<string, unknown> = {}): Promise<string> {
    const reply = await cri.call('RunPodSandbox', {
      config: podConfig(name, { logDirectory: join(logRoot, name), ...extra }),
    });
    return reply.podSandboxId as string;
  }

  async function runContainer(
    pod: string,
    name: string,
    args: string[],
    extra: Record<string, unknown> = {},
  ) {
    const status = await cri.call('PodSandboxStatus', { podSandboxId: pod });
    const { containerId } = await cri.call('CreateContainer', {
      podSandboxId: pod,
      config: {
        metadata: { name },
        image: { image },
        command: ['sh', '-c'],
        args,
        logPath: `${name}/0.log`,
        labels: { container: name },
        ...extra,
      },
      sandboxConfig: { metadata: status.status.metadata },
    });
    await cri.call('StartContainer', { containerId });
    return containerId as string;
  }

  async function waitExited(id: string): Promise<Record<string, any>> {
    for (let i = 0; i < 300; i++) {
      const { status } = await cri.call('ContainerStatus', { containerId: id });
      if (status.state === 'CONTAINER_EXITED') return status;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`container ${id} did not exit`);
  }

  it('Version and Status (RuntimeReady, NetworkReady)', async () => {
    const v = await cri.call('Version', { version: 'v1' });
    assert.equal(v.runtimeName, 'polis');
    assert.equal(v.runtimeApiVersion, 'v1');
    const s = await cri.call('Status', {});
    const cond = Object.fromEntries(s.status.conditions.map((c: any) => [c.type, c.status]));
    assert.deepEqual(cond, { RuntimeReady: true, NetworkReady: true });
  });

  it('PullImage with auth from the local registry, then ListImages, ImageStatus, ImageFsInfo', async (t) => {
    await assert.rejects(cri.call('PullImage', { image: { image } }), (err: any) => {
      assert.notEqual(err.code, 0);
      return true;
    });
    const started = Date.now();
    const pulled = await cri.call('PullImage', { image: { image }, auth: { username: user, password } });
    t.diagnostic(`pull took ${Date.now() - started} ms`);
    assert.match(pulled.imageRef, /^sha256:[0-9a-f]{64}$/);
    const list = await cri.call('ListImages', {});
    const mine = list.images.find((i: any) => i.id === pulled.imageRef);
    assert.ok(mine, JSON.stringify(list.images));
    assert.ok(mine.repoTags.includes(image), mine.repoTags.join(' '));
    assert.ok(Number(mine.size) > 0);
    const st = await cri.call('ImageStatus', { image: { image } });
    assert.equal(st.image.id, pulled.imageRef);
    const missing = await cri.call('ImageStatus', { image: { image: reg.ref('cri/nothing:1') } });
    assert.equal(missing.image, null);
    const fs = await cri.call('ImageFsInfo', {});
    assert.ok(Number(fs.imageFilesystems[0].usedBytes.value) > 0);
  });

  it('RemoveImage removes a pulled image (and is idempotent)', async () => {
    const other = reg.ref('cri/busybox:gone');
    await pushBusybox(reg, 'cri/busybox:gone');
    await cri.call('PullImage', {
      image: { image: other },
      auth: { auth: Buffer.from(`${user}:${password}`).toString('base64') },
    });
    assert.ok((await cri.call('ImageStatus', { image: { image: other } })).image);
    await cri.call('RemoveImage', { image: { image: other } });
    assert.equal((await cri.call('ImageStatus', { image: { image: other } })).image, null);
    await cri.call('RemoveImage', { image: { image: other } });
    // The image under its other name is still there.
    assert.ok((await cri.call('ImageStatus', { image: { image } })).image);
  });

  it('sandbox lifecycle: run, status, list with filters, stop, remove', async () => {
    const id = await runPod('life', {
      dnsConfig: { servers: ['10.9.8.7'], searches: ['example.test'], options: ['ndots:3'] },
    });
    const { status } = await cri.call('PodSandboxStatus', { podSandboxId: id });
    assert.equal(status.id, id);
    assert.equal(status.state, 'SANDBOX_READY');
    assert.equal(status.metadata.name, 'life');
    assert.equal(status.labels.app, 'life');
    assert.equal(status.annotations['test/annotation'], 'yes');
    assert.match(status.network.ip, /^\d+\.\d+\.\d+\.\d+$/);
    assert.ok(BigInt(status.createdAt) > 0n);
    // The sandbox's process is catatonit, not a pulled pause image.
    const inspect = await d.client.containers.inspect(id);
    assert.deepEqual(inspect.Config.Entrypoint, ['/catatonit', '-P']);
    // Hostname and resolv.conf from the request reach the pod's containers.
    const c = await runContainer(id, 'probe', ['sleep 1000']);
    const host = await cri.call('ExecSync', { containerId: c, cmd: ['hostname'], timeout: 10 });
    assert.equal(host.stdout.toString().trim(), 'life');
    const resolv = (
      await cri.call('ExecSync', { containerId: c, cmd: ['cat', '/etc/resolv.conf'] })
    ).stdout.toString();
    assert.match(resolv, /nameserver 10\.9\.8\.7/);
    assert.match(resolv, /search example\.test/);
    assert.match(resolv, /options ndots:3/);

    assert.deepEqual(
      (await cri.call('ListPodSandbox', { filter: { id } })).items.map((p: any) => p.id),
      [id],
    );
    assert.deepEqual(
      (await cri.call('ListPodSandbox', { filter: { labelSelector: { app: 'life' } } })).items.map(
        (p: any) => p.id,
      ),
      [id],
    );
    assert.equal(
      (await cri.call('ListPodSandbox', { filter: { labelSelector: { app: 'nope' } } })).items.length,
      0,
    );
    await cri.call('StopPodSandbox', { podSandboxId: id });
    assert.equal((await cri.call('PodSandboxStatus', { podSandboxId: id })).status.state, 'SANDBOX_NOTREADY');
    assert.equal((await cri.call('ContainerStatus', { containerId: c })).status.state, 'CONTAINER_EXITED');
    const ready = await cri.call('ListPodSandbox', { filter: { state: { state: 'SANDBOX_READY' } } });
    assert.ok(!ready.items.some((p: any) => p.id === id));
    await cri.call('RemovePodSandbox', { podSandboxId: id });
    assert.ok(!(await cri.call('ListPodSandbox', {})).items.some((p: any) => p.id === id));
    await assert.rejects(
      cri.call('PodSandboxStatus', { podSandboxId: id }),
      (err: any) => err.code === NOT_FOUND,
    );
    // Idempotent, as kubelet expects.
    await cri.call('StopPodSandbox', { podSandboxId: id });
    await cri.call('RemovePodSandbox', { podSandboxId: id });
  });

  it('two containers of one pod talk over localhost; ExecSync output and exit code', async () => {
    const pod = await runPod('duo');
    const web = await runContainer(pod, 'web', [
      'mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www',
    ]);
    const client = await runContainer(pod, 'client', ['sleep 1000']);
    let body = '';
    for (let i = 0; i < 200 && !body.includes('hello-from-web'); i++) {
      const r = await cri.call('ExecSync', {
        containerId: client,
        cmd: ['wget', '-qO-', 'http://127.0.0.1:8080/'],
        timeout: 10,
      });
      body = r.stdout.toString();
      if (!body) await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(body, 'hello-from-web\n');
    const r = await cri.call('ExecSync', {
      containerId: client,
      cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'],
    });
    assert.equal(r.stdout.toString(), 'out\n');
    assert.equal(r.stderr.toString(), 'err\n');
    assert.equal(r.exitCode, 3);
    await assert.rejects(
      cri.call('ExecSync', { containerId: client, cmd: ['sleep', '30'], timeout: 1 }),
      (err: any) => err.code === 4,
    );
    const listed = await cri.call('ListContainers', { filter: { podSandboxId: pod } });
    assert.deepEqual(listed.containers.map((c: any) => c.id).sort(), [web, client].sort());
    const byLabel = await cri.call('ListContainers', { filter: { labelSelector: { container: 'web' } } });
    assert.deepEqual(
      byLabel.containers.map((c: any) => c.id),
      [web],
    );
    assert.equal(byLabel.containers[0].state, 'CONTAINER_RUNNING');
    assert.equal(byLabel.containers[0].podSandboxId, pod);

    // Stats for the right ids.
    const cs = await cri.call('ContainerStats', { containerId: web });
    assert.equal(cs.stats.attributes.id, web);
    assert.equal(cs.stats.attributes.metadata.name, 'web');
    assert.ok(Number(cs.stats.memory.workingSetBytes.value) > 0);
    assert.ok(Number(cs.stats.cpu.usageCoreNanoSeconds.value) > 0);
    const all = await cri.call('ListContainerStats', { filter: { podSandboxId: pod } });
    assert.deepEqual(all.stats.map((s: any) => s.attributes.id).sort(), [web, client].sort());
    const ps = await cri.call('PodSandboxStats', { podSandboxId: pod });
    assert.equal(ps.stats.attributes.id, pod);
    assert.deepEqual(ps.stats.linux.containers.map((s: any) => s.attributes.id).sort(), [web, client].sort());
    assert.ok(ps.stats.linux.network.interfaces.some((i: any) => i.name === 'eth0'));

    // RemovePodSandbox removes its containers.
    await cri.call('RemovePodSandbox', { podSandboxId: pod });
    assert.equal((await cri.call('ListContainers', { filter: { podSandboxId: pod } })).containers.length, 0);
    const polisIds = (await d.client.containers.list({ all: true })).map((c) => c.Id);
    for (const id of [pod, web, client]) assert.ok(!polisIds.includes(id), id);
    await assert.rejects(
      cri.call('ContainerStatus', { containerId: web }),
      (err: any) => err.code === NOT_FOUND,
    );
  });

  it('Exec and Attach stream through the returned URL (v4.channel.k8s.io websocket)', async () => {
    const pod = await runPod('stream');
    const c = await runContainer(pod, 'shell', ['sleep 1000']);
    const { url } = await cri.call('Exec', {
      containerId: c,
      cmd: ['sh', '-c', 'cat; echo done >&2; exit 2'],
      stdin: true,
      stdout: true,
      stderr: true,
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/exec\//);
    const ex = await streamChannels(url, { stdin: Buffer.from('ping\n'), closeStdin: true });
    assert.equal(ex.protocol, 'v4.channel.k8s.io');
    assert.equal(channelText(ex.frames, 1), 'ping\n');
    assert.equal(channelText(ex.frames, 2), 'done\n');
    const status = JSON.parse(channelText(ex.frames, 3));
    assert.equal(status.status, 'Failure');
    assert.equal(status.details.causes[0].message, '2');
    // A URL is good once.
    await assert.rejects(streamChannels(url));

    const ok = await streamChannels(
      (await cri.call('Exec', { containerId: c, cmd: ['echo', 'hi'], stdout: true })).url,
    );
    assert.equal(channelText(ok.frames, 1), 'hi\n');
    assert.equal(JSON.parse(channelText(ok.frames, 3)).status, 'Success');

    // v5 closes stdin with a message of its own on channel 255.
    const v5 = await streamChannels(
      (await cri.call('Exec', { containerId: c, cmd: ['cat'], stdin: true, stdout: true })).url,
      {
        protocol: 'v5.channel.k8s.io',
        stdin: Buffer.from('five\n'),
        onOpen: (send) => send(255, Buffer.from([0])),
      },
    );
    assert.equal(v5.protocol, 'v5.channel.k8s.io');
    assert.equal(channelText(v5.frames, 1), 'five\n');
    assert.equal(JSON.parse(channelText(v5.frames, 3)).status, 'Success');

    const reader = await runContainer(pod, 'reader', ['read line; echo got:$line; sleep 0.2'], {
      stdin: true,
    });
    const att = await cri.call('Attach', { containerId: reader, stdin: true, stdout: true, stderr: true });
    assert.match(att.url, /\/attach\//);
    const at = await streamChannels(att.url, { stdin: Buffer.from('abc\n') });
    assert.equal(channelText(at.frames, 1), 'got:abc\n');
    await cri.call('RemovePodSandbox', { podSandboxId: pod });
  });

  it('the log file is in CRI format at log_directory/log_path; ReopenContainerLog', async () => {
    const pod = await runPod('logs');
    const c = await runContainer(pod, 'writer', ['echo line1; echo oops >&2; printf partial']);
    const st = await waitExited(c);
    assert.equal(st.exitCode, 0);
    assert.equal(st.reason, 'Completed');
    const path = join(logRoot, 'logs', 'writer', '0.log');
    assert.equal(st.logPath, path);
    assert.ok(existsSync(path));
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    const rfc3339nano = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+(Z|[+-]\\d\\d:\\d\\d)';
    assert.ok(
      lines.some((l) => new RegExp(`^${rfc3339nano} stdout F line1$`).test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => new RegExp(`^${rfc3339nano} stderr F oops$`).test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => new RegExp(`^${rfc3339nano} stdout P partial$`).test(l)),
      lines.join('\n'),
    );

    const live = await runContainer(pod, 'ticker', ['echo first; sleep 1000']);
    await assert.rejects(cri.call('ReopenContainerLog', { containerId: c }), (err: any) => err.code === 9);
    await cri.call('ReopenContainerLog', { containerId: live });
    await cri.call('RemovePodSandbox', { podSandboxId: pod });
  });

  it('a sandbox port mapping is reachable from the host', async () => {
    const hostPort = await freePort();
    const pod = await runPod('ports', { portMappings: [{ protocol: 'TCP', containerPort: 80, hostPort }] });
    await runContainer(pod, 'web', [
      'mkdir -p /www && echo via-port > /www/index.html && exec httpd -f -p 80 -h /www',
    ]);
    let body = '';
    for (let i = 0; i < 200 && body !== 'via-port\n'; i++) {
      body = await new Promise<string>((resolve) => {
        get(`http://127.0.0.1:${hostPort}/`, (res) => {
          let text = '';
          res.on('data', (b: Buffer) => (text += b.toString()));
          res.on('end', () => resolve(text));
        }).on('error', () => resolve(''));
      });
      if (body !== 'via-port\n') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(body, 'via-port\n');

    // PortForward: the same server through the streaming URL, inside the pod's netns.
    const { url } = await cri.call('PortForward', { podSandboxId: pod, port: [80] });
    assert.match(url, /\/portforward\//);
    const pf = await streamChannels(url, {
      onOpen: (send) => send(0, Buffer.from('GET / HTTP/1.0\r\n\r\n')),
    });
    const data = Buffer.concat(pf.frames.filter((f) => f.channel === 0).map((f) => f.data));
    assert.equal(data.readUInt16LE(0), 80);
    assert.match(data.subarray(2).toString(), /^HTTP\/1\.[01] 200[^]*\r\n\r\nvia-port\n$/);
    await cri.call('RemovePodSandbox', { podSandboxId: pod });
  });

  it('sandboxes and their containers survive a polisd restart', async () => {
    const pod = await runPod('restart');
    const c = await runContainer(pod, 'keep', ['sleep 1000']);
    await d.stopProcess('SIGTERM');
    await d.startProcess();
    assert.equal((await cri.call('PodSandboxStatus', { podSandboxId: pod })).status.state, 'SANDBOX_READY');
    const { status } = await cri.call('ContainerStatus', { containerId: c });
    assert.equal(status.state, 'CONTAINER_RUNNING');
    assert.equal(status.metadata.name, 'keep');
    assert.equal(status.labels.container, 'keep');
    const r = await cri.call('ExecSync', { containerId: c, cmd: ['echo', 'still here'] });
    assert.equal(r.stdout.toString(), 'still here\n');
    await cri.call('RemovePodSandbox', { podSandboxId: pod });
  });

  it('NotFound for unknown ids', async () => {
    const unknown = 'f'.repeat(64);
    for (const [method, req] of [
      ['PodSandboxStatus', { podSandboxId: unknown }],
      ['ContainerStatus', { containerId: unknown }],
      ['StartContainer', { containerId: unknown }],
      ['ContainerStats', { containerId: unknown }],
      ['PodSandboxStats', { podSandboxId: unknown }],
      ['ExecSync', { containerId: unknown, cmd: ['true'] }],
      ['Exec', { containerId: unknown, cmd: ['true'], stdout: true }],
      ['CreateContainer', { podSandboxId: unknown, config: { metadata: { name: 'x' }, image: { image } } }],
    ] as const) {
      await assert.rejects(cri.call(method, req), (err: any) => {
        assert.equal(err.code, NOT_FOUND, `${method}: ${err.message}`);
        return true;
      });
    }
  });
});
