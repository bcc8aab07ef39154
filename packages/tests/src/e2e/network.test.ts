import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { freePort, httpGet, links, netnsNames, nftTable } from '../harness/network.js';
import { runCommand } from '../harness/run.js';
import { waitFor } from '../harness/wait.js';

/** busybox httpd serving `text` at / on port 80. */
const httpd = (text: string): string[] => [
  'sh',
  '-c',
  `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`,
];

/** Fetches a URL from inside a new container on `network`; the body or the failure. */
async function fetchFrom(
  d: TestDaemon,
  network: string,
  url: string,
): Promise<{ code: number; out: string }> {
  // --init: as PID 1, wget would ignore timeout's SIGTERM and hang in connect() for minutes.
  const res = await d.polis([
    'run',
    '--rm',
    '--init',
    '--network',
    network,
    'busybox',
    'timeout',
    '3',
    'wget',
    '-qO-',
    url,
  ]);
  return { code: res.code, out: res.stdout.trim() };
}

describe('networks', () => {
  let d: TestDaemon;
  let vethsBefore: string[];
  let bridgesBefore: string[];
  let netnsBefore: string[];
  before(async () => {
    vethsBefore = await links(/^pv[0-9a-f]{12}$/);
    netnsBefore = netnsNames(/^polis-/);
    bridgesBefore = await links(/^pl-/);
    d = await TestDaemon.start();
    await d.importBusybox();
  });
  after(async () => {
    await d?.cleanup();
  });

  it('containers on one user network reach each other by name and alias; another network cannot', async () => {
    ok(await d.polis(['network', 'create', 'front']));
    ok(await d.polis(['network', 'create', 'back']));
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'web',
        '--network',
        'front',
        '--network-alias',
        'www',
        'busybox',
        ...httpd('hello-front'),
      ]),
    );
    await waitFor('web to answer', async () => (await fetchFrom(d, 'front', 'http://web/')).code === 0);
    assert.deepEqual(await fetchFrom(d, 'front', 'http://web/'), { code: 0, out: 'hello-front' });
    assert.deepEqual(await fetchFrom(d, 'front', 'http://www/'), { code: 0, out: 'hello-front' });
    const shortId = ok(await d.polis(['inspect', '-f', '{{.Id}}', 'web'])).slice(0, 12);
    assert.deepEqual(await fetchFrom(d, 'front', `http://${shortId}/`), { code: 0, out: 'hello-front' });
    const ip = ok(await d.polis(['inspect', '-f', '{{.NetworkSettings.Networks.front.IPAddress}}', 'web']));
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    // Unless POLIS_OWN_NETNS=0, its network lives in a named netns of its own, which `ip netns`
    // lists and enters.
    const id = ok(await d.polis(['inspect', '-f', '{{.Id}}', 'web']));
    if (process.env.POLIS_OWN_NETNS !== '0') {
      assert.ok(netnsNames(/^polis-/).includes(`polis-${id}`), 'the container has its named netns');
      const inside = ok(await runCommand('ip', ['-n', `polis-${id}`, '-4', '-o', 'addr', 'show', 'eth0']));
      assert.match(inside, new RegExp(` inet ${ip.replaceAll('.', '\\.')}/`));
    } else {
      assert.ok(!netnsNames(/^polis-/).includes(`polis-${id}`), 'no named netns when turned off');
    }
    const fromBack = await fetchFrom(d, 'back', `http://${ip}/`);
    assert.notEqual(fromBack.code, 0, 'a container on another network must not reach web');
    const byNameFromBack = await fetchFrom(d, 'back', 'http://web/');
    assert.notEqual(byNameFromBack.code, 0);
    ok(await d.polis(['rm', '-f', 'web']));
  });

  it('published ports answer on 127.0.0.1; -p 80 gets a random port that polis port reports', async () => {
    const port = await freePort();
    ok(await d.polis(['run', '-d', '--name', 'pub', '-p', `${port}:80`, 'busybox', ...httpd('hello-host')]));
    const body = await waitFor('the published port', () => httpGet('127.0.0.1', port).catch(() => undefined));
    assert.equal(body?.trim(), 'hello-host');
    ok(await d.polis(['run', '-d', '--name', 'rnd', '-p', '80', 'busybox', ...httpd('hello-random')]));
    const mapping = ok(await d.polis(['port', 'rnd', '80']));
    const m = /:(\d+)$/.exec(mapping.split('\n')[0] ?? '');
    assert.ok(m, mapping);
    const random = Number(m[1]);
    const body2 = await waitFor('the random port', () => httpGet('127.0.0.1', random).catch(() => undefined));
    assert.equal(body2?.trim(), 'hello-random');
    const ports = ok(await d.polis(['inspect', '-f', '{{json .NetworkSettings.Ports}}', 'pub']));
    assert.deepEqual(JSON.parse(ports)['80/tcp'], [{ HostIp: '0.0.0.0', HostPort: String(port) }]);
    // A taken host port: a clear error at start, the container left created.
    const taken = await d.polis([
      'run',
      '-d',
      '--name',
      'clash',
      '-p',
      `${port}:80`,
      'busybox',
      'sleep',
      '60',
    ]);
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /port is already allocated|already in use/);
    assert.equal(ok(await d.polis(['inspect', '-f', '{{.State.Status}}', 'clash'])), 'created');
    ok(await d.polis(['rm', '-f', 'pub', 'rnd', 'clash']));
  });

  it('bad input: overlapping subnets, unknown network, connecting twice', async () => {
    ok(await d.polis(['network', 'create', '--subnet', '10.231.0.0/16', 'one']));
    const overlap = await d.polis(['network', 'create', '--subnet', '10.231.5.0/24', 'two']);
    assert.notEqual(overlap.code, 0);
    assert.match(overlap.stderr, /overlap/i);
    const unknown = await d.polis(['run', '--rm', '--network', 'nosuchnet', 'busybox', 'true']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /network nosuchnet not found/);
    ok(await d.polis(['create', '--name', 'twice', '--network', 'one', 'busybox', 'sleep', '60']));
    const again = await d.polis(['network', 'connect', 'one', 'twice']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already/i);
    const inUse = await d.polis(['network', 'rm', 'one']);
    assert.notEqual(inUse.code, 0);
    ok(await d.polis(['rm', '-f', 'twice']));
    ok(await d.polis(['network', 'rm', 'one']));
    const names = ok(await d.polis(['network', 'ls', '--format', '{{.Name}}'])).split('\n');
    assert.ok(!names.includes('one') && !names.includes('two'), names.join(','));
  });

  it('after removing everything nothing is left: no veth, no bridge, no port rule', async () => {
    for (const n of ['front', 'back']) await d.polis(['network', 'rm', n]);
    ok(await d.polis(['network', 'prune', '-f']));
    // Other daemons on this host may have veths of their own: only new ones count.
    const veths = (await links(/^pv[0-9a-f]{12}$/)).filter((v) => !vethsBefore.includes(v));
    assert.deepEqual(veths, []);
    assert.deepEqual(
      netnsNames(/^polis-/).filter((n) => !netnsBefore.includes(n)),
      [],
      'named netns of removed containers',
    );
    assert.deepEqual(
      (await links(/^pl-/)).filter((b) => !bridgesBefore.includes(b)),
      [],
      'user network bridges',
    );
    const left = ok(await d.polis(['network', 'ls', '--format', '{{.Name}}'])).split('\n');
    assert.deepEqual(left.sort(), ['bridge', 'host', 'none'], 'only the builtin networks are left');
    // Published ports live in nft maps (`addr . port : addr . port`): none may be left.
    assert.doesNotMatch(await nftTable(d.dataRoot), /elements = \{[^}]*:/);
  });
});

describe('networks and a crash', () => {
  it('after kill -9 of polisd the published port still answers; removal cleans up', async (t) => {
    const vethsBefore = await links(/^pv[0-9a-f]{12}$/);
    const d = await TestDaemon.start();
    t.after(() => d.cleanup());
    await d.importBusybox();
    const port = await freePort();
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'survivor',
        '-p',
        `${port}:80`,
        'busybox',
        ...httpd('still-here'),
      ]),
    );
    await waitFor('the published port', () => httpGet('127.0.0.1', port).catch(() => undefined));
    await d.stopProcess('SIGKILL');
    assert.equal((await httpGet('127.0.0.1', port)).trim(), 'still-here');
    await d.startProcess();
    assert.equal((await httpGet('127.0.0.1', port)).trim(), 'still-here');
    ok(await d.polis(['rm', '-f', 'survivor']));
    await assert.rejects(httpGet('127.0.0.1', port, '/', 1000));
    assert.deepEqual(
      (await links(/^pv[0-9a-f]{12}$/)).filter((v) => !vethsBefore.includes(v)),
      [],
    );
    assert.doesNotMatch(await nftTable(d.dataRoot), /elements = \{[^}]*:/);
  });
});
