import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { CriClient, podConfig } from '../harness/cri.js';
import { pushBusybox } from '../harness/registry-images.js';
import { TestRegistry } from '../harness/registry.js';

const POD = 'spdy';
/** kubectl 1.30+ tries websockets first; these keep it on SPDY, the path kubelet's proxy uses. */
const SPDY_ONLY = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' };

/** The discovery documents kubectl reads before it resolves `pods`. */
const DISCOVERY: Record<string, object> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'] },
      {
        name: 'pods/exec',
        singularName: '',
        namespaced: true,
        kind: 'PodExecOptions',
        verbs: ['create', 'get'],
      },
    ],
  },
};

/**
 * kubectl's SPDY/3.1 remotecommand against polisd's CRI streaming server, through a stand-in apiserver
 * that does what apiserver and kubelet do for `pods/exec`: call the CRI's Exec and proxy the raw upgrade
 * to the URL it returns. The SPDY client is kubectl itself (client-go and moby/spdystream).
 */
describe('CRI streaming over SPDY/3.1 (kubectl exec)', { timeout: 600_000 }, () => {
  let d: TestDaemon;
  let reg: TestRegistry;
  let cri: CriClient;
  let api: Server;
  let kubeconfig = '';
  let container = '';
  let sandbox = '';
  const ids: Record<string, string> = {};
  /** The proxied upgrades: the server's closeAllConnections does not reach them. */
  const upgraded = new Set<Duplex>();
  const seen: string[] = [];

  before(async () => {
    reg = await TestRegistry.start();
    d = await TestDaemon.start();
    cri = new CriClient(join(d.execRoot, 'cri.sock'));
    const image = reg.ref('cri/busybox:spdy');
    await pushBusybox(reg, 'cri/busybox:spdy');
    await cri.call('PullImage', { image: { image } });
    const dir = await mkdtemp(join(d.root, 'kube-'));
    const config = podConfig(POD, { logDirectory: join(dir, 'logs') });
    const { podSandboxId } = await cri.call('RunPodSandbox', { config });
    ({ containerId: container } = await cri.call('CreateContainer', {
      podSandboxId,
      config: {
        metadata: { name: 'main' },
        image: { image },
        command: ['sh', '-c'],
        args: ['sleep 1000'],
        logPath: 'main/0.log',
      },
      sandboxConfig: config,
    }));
    await cri.call('StartContainer', { containerId: container });
    // A web server on the pod's loopback only (so port forwarding must dial inside its netns), and a
    // reader waiting on its stdin for attach.
    const more = [
      {
        name: 'web',
        args: ['mkdir -p /www && echo via-spdy > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www'],
      },
      { name: 'reader', args: ['read line; echo got:$line; sleep 1'], stdin: true, stdinOnce: true },
    ];
    for (const c of more) {
      const { containerId } = await cri.call('CreateContainer', {
        podSandboxId,
        config: {
          metadata: { name: c.name },
          image: { image },
          command: ['sh', '-c'],
          args: c.args,
          stdin: c.stdin ?? false,
          stdinOnce: c.stdinOnce ?? false,
          logPath: `${c.name}/0.log`,
        },
        sandboxConfig: config,
      });
      await cri.call('StartContainer', { containerId });
      ids[c.name] = containerId as string;
    }
    sandbox = podSandboxId as string;

    api = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.setHeader('Content-Type', 'application/json');
      if (req.method === 'GET' && req.url?.startsWith(`/api/v1/namespaces/default/pods/${POD}`)) {
        res.end(JSON.stringify(pod()));
      } else if (DISCOVERY[req.url?.split('?')[0] ?? '']) {
        res.end(JSON.stringify(DISCOVERY[req.url!.split('?')[0]!]));
      } else if (req.url?.startsWith('/version')) {
        res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0' }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404 }));
      }
    });
    api.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      upgraded.add(socket);
      socket.on('close', () => upgraded.delete(socket));
      seen.push(`${req.method} ${req.url} (upgrade ${req.headers.upgrade})`);
      void proxy(req, socket, head).catch((err) => {
        socket.end(`HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n${String(err)}\n`);
      });
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const port = (api.address() as AddressInfo).port;
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: fake, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
        'users: [{name: anon, user: {}}]',
        'contexts: [{name: fake, context: {cluster: fake, user: anon, namespace: default}}]',
        'current-context: fake',
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    api?.closeAllConnections();
    for (const socket of upgraded) socket.destroy();
    await new Promise((r) => (api ? api.close(r) : r(undefined)));
    await cri?.removeAllPods();
    cri?.close();
    if (process.env.CRI_TEST_LOG) process.stderr.write(d?.log ?? '');
    await d?.cleanup();
    await reg?.stop();
  });

  function pod(): object {
    return {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: POD, namespace: 'default', uid: 'uid-spdy' },
      spec: {
        containers: [
          { name: 'main', image: 'busybox' },
          { name: 'web', image: 'busybox' },
          { name: 'reader', image: 'busybox', stdin: true, stdinOnce: true },
        ],
      },
      status: { phase: 'Running' },
    };
  }

  /** The CRI call apiserver + kubelet make for a pods/exec, pods/attach or pods/portforward request. */
  async function streamUrl(req: IncomingMessage): Promise<string> {
    const u = new URL(req.url ?? '/', 'http://x');
    const q = u.searchParams;
    const flags = {
      tty: q.get('tty') === 'true',
      stdin: q.get('stdin') === 'true',
      stdout: q.get('stdout') === 'true',
      stderr: q.get('stderr') === 'true',
    };
    const target = ids[q.get('container') ?? ''] ?? container;
    if (u.pathname.endsWith('/exec')) {
      return (await cri.call('Exec', { containerId: target, cmd: q.getAll('command'), ...flags })).url;
    }
    if (u.pathname.endsWith('/attach'))
      return (await cri.call('Attach', { containerId: target, ...flags })).url;
    if (u.pathname.endsWith('/portforward')) {
      return (await cri.call('PortForward', { podSandboxId: sandbox, port: q.getAll('ports').map(Number) }))
        .url;
    }
    throw new Error(`no stream for ${u.pathname}`);
  }

  /** apiserver + kubelet for streams: the CRI RPC, then the raw upgrade piped to the URL it returns. */
  async function proxy(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = await streamUrl(req);
    const target = new URL(url as string);
    const upstream = connect(Number(target.port), target.hostname);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    let lines = `${req.method} ${target.pathname} HTTP/1.1\r\n`;
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      lines += `${name}: ${name.toLowerCase() === 'host' ? target.host : req.rawHeaders[i + 1]}\r\n`;
    }
    upstream.write(`${lines}\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  }

  function kubectl(
    args: string[],
    stdin?: string,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], {
        env: { ...process.env, ...SPDY_ONLY },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      if (stdin !== undefined) child.stdin.end(stdin);
      else child.stdin.end();
    });
  }

  it('kubectl exec: stdout, stderr and the exit code over SPDY', async (t) => {
    const r = await kubectl(['exec', POD, '--', 'sh', '-c', 'echo hi; echo err >&2; exit 3']);
    t.diagnostic(`requests: ${seen.join(' | ')}`);
    t.diagnostic(`stderr: ${r.stderr}`);
    assert.ok(
      seen.some((s) => s.includes('/exec?') && s.includes('upgrade SPDY/3.1')),
      'kubectl upgraded with SPDY/3.1',
    );
    assert.equal(r.stdout, 'hi\n');
    assert.match(r.stderr, /^err$/m);
    assert.equal(r.code, 3, r.stderr);
  });

  it('kubectl exec -i: stdin reaches the command and its end closes it', async () => {
    const r = await kubectl(['exec', '-i', POD, '--', 'cat'], 'line one\nline two\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'line one\nline two\n');
  });

  it('kubectl exec of a command that succeeds exits 0', async () => {
    const r = await kubectl(['exec', POD, '--', 'sh', '-c', 'echo ok']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ok\n');
  });

  it('kubectl attach -i: stdin reaches the waiting container and its output comes back', async () => {
    const r = await kubectl(['attach', '-i', POD, '-c', 'reader'], 'abc\n');
    assert.ok(
      seen.some((x) => x.includes('/attach?') && x.includes('upgrade SPDY/3.1')),
      seen.join(' | '),
    );
    assert.match(r.stdout, /got:abc/, r.stderr);
  });

  it('kubectl port-forward: connections reach the pod loopback; a closed port reports its error', async () => {
    const pf = startPortForward('8080');
    try {
      const local = await pf.localPort;
      assert.ok(
        seen.some((x) => x.includes('/portforward') && x.includes('upgrade SPDY/3.1')),
        seen.join(' | '),
      );
      assert.equal(await httpGet(local), 'via-spdy\n');
      // Several connections at once, each a stream pair of its own on the one SPDY connection.
      assert.deepEqual(
        await Promise.all([1, 2, 3, 4].map(() => httpGet(local))),
        Array(4).fill('via-spdy\n'),
      );
    } finally {
      await pf.stop();
    }
    const closed = startPortForward('9');
    try {
      const local = await closed.localPort;
      assert.equal(await httpGet(local).catch(() => 'refused'), 'refused');
      await waitUntil(() => /error forwarding port 9 to pod/.test(closed.stderr()), 10_000);
    } finally {
      await closed.stop();
    }
  });

  it('polisd stops on SIGTERM while a forward is open (the stream does not hold it), and kubectl sees the end', async () => {
    const pf = startPortForward('8080');
    try {
      assert.equal(await httpGet(await pf.localPort), 'via-spdy\n');
      const stopped = d.stopProcess('SIGTERM').then(() => 'stopped');
      const late = new Promise((r) => setTimeout(() => r('still running after 20 s'), 20_000).unref());
      assert.equal(await Promise.race([stopped, late]), 'stopped');
    } finally {
      await pf.stop();
      await d.startProcess();
    }
  });

  /** `kubectl port-forward POD :REMOTE`; resolves the local port kubectl picked. */
  function startPortForward(remote: string): {
    localPort: Promise<number>;
    stderr: () => string;
    stop: () => Promise<void>;
  } {
    const child = spawn(
      'kubectl',
      ['--kubeconfig', kubeconfig, 'port-forward', '--address', '127.0.0.1', POD, `:${remote}`],
      {
        env: { ...process.env, ...SPDY_ONLY },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    const localPort = new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('close', (code) => reject(new Error(`kubectl port-forward exited ${code}: ${err}`)));
    });
    const exited = new Promise((r) => child.on('close', r));
    return {
      localPort,
      stderr: () => err,
      stop: async () => {
        child.kill('SIGTERM');
        await exited;
      },
    };
  }
});

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let text = '';
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
