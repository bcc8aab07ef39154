import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { freePort, httpGet } from '../harness/network.js';
import { runCommand } from '../harness/run.js';
import { waitFor } from '../harness/wait.js';

const httpd = (text: string): string[] => [
  'sh',
  '-c',
  `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`,
];

/** A /24 unlikely to be taken by another daemon running on this host at the same time. */
const randomPrefix = (): string =>
  `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;

/**
 * An IPv4 address of this host that is not loopback and not on a Polis bridge: the address of the
 * interface holding the default route, else any other global one.
 */
async function hostAddress(): Promise<string> {
  const route = JSON.parse(
    (await runCommand('ip', ['-j', '-4', 'route', 'show', 'default'])).stdout || '[]',
  ) as {
    dev?: string;
  }[];
  const addrs = JSON.parse(
    (await runCommand('ip', ['-j', '-4', 'addr', 'show', 'scope', 'global'])).stdout,
  ) as {
    ifname: string;
    addr_info: { local: string }[];
  }[];
  const candidates = addrs.filter((a) => !/^(pb|pl-|pv)/.test(a.ifname) && a.addr_info.length > 0);
  const preferred = candidates.find((a) => a.ifname === route[0]?.dev) ?? candidates[0];
  assert.ok(preferred, 'this host has a non-loopback IPv4 address');
  return preferred.addr_info[0]!.local;
}

describe('network isolation, addressing and DNS', () => {
  let d: TestDaemon;
  let hostIp: string;
  /** wget from inside a running container (an exec, not PID 1, so timeout can stop it). */
  const wgetIn = async (container: string, url: string): Promise<{ code: number; out: string }> => {
    const res = await d.polis(['exec', container, 'timeout', '2', 'wget', '-qO-', url]);
    return { code: res.code, out: res.stdout.trim() };
  };
  const sleeper = async (name: string, ...flags: string[]): Promise<void> => {
    ok(await d.polis(['run', '-d', '--name', name, ...flags, 'busybox', 'sleep', '300']), `run ${name}`);
  };
  const inContainer = async (name: string, script: string): Promise<string> =>
    ok(await d.polis(['exec', name, 'sh', '-c', script]), `exec in ${name}: ${script}`);

  before(async () => {
    hostIp = await hostAddress();
    d = await TestDaemon.start();
    await d.importBusybox();
  });
  after(async () => {
    await d?.cleanup();
  });

  it('--internal: no way out through a published port on a host address; peers by name still work', async () => {
    ok(await d.polis(['network', 'create', '--internal', 'inner']));
    ok(await d.polis(['network', 'create', 'outer']));
    assert.equal(ok(await d.polis(['network', 'inspect', '-f', '{{.Internal}}', 'inner'])), 'true');
    const port = await freePort();
    ok(await d.polis(['run', '-d', '--name', 'srv', '-p', `${port}:80`, 'busybox', ...httpd('srv-page')]));
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'ipeer',
        '--network',
        'inner',
        'busybox',
        ...httpd('ipeer-page'),
      ]),
    );
    await sleeper('ic', '--network', 'inner');
    await sleeper('oc', '--network', 'outer');
    const url = `http://${hostIp}:${port}/`;
    await waitFor('srv through the host address', async () => (await wgetIn('oc', url)).code === 0);
    assert.deepEqual(await wgetIn('oc', url), { code: 0, out: 'srv-page' });
    const fromInternal = await wgetIn('ic', url);
    assert.notEqual(fromInternal.code, 0, `internal container reached ${url}: ${fromInternal.out}`);
    assert.deepEqual(await wgetIn('ic', 'http://ipeer/'), { code: 0, out: 'ipeer-page' });
    // And the outside cannot reach into the internal network either.
    const ipeerIp = ok(
      await d.polis(['inspect', '-f', '{{.NetworkSettings.Networks.inner.IPAddress}}', 'ipeer']),
    );
    assert.notEqual((await wgetIn('oc', `http://${ipeerIp}/`)).code, 0);
    // As in Docker, an internal network gives no default route; a normal one does.
    assert.doesNotMatch(ok(await d.polis(['exec', 'ic', 'ip', 'route'])), /^default/m);
    assert.match(ok(await d.polis(['exec', 'oc', 'ip', 'route'])), /^default via /m);
  });

  it('hairpin: a container reaches its own published port through the host address', async () => {
    const port = await freePort();
    ok(await d.polis(['run', '-d', '--name', 'hp', '-p', `${port}:80`, 'busybox', ...httpd('hairpin')]));
    const url = `http://${hostIp}:${port}/`;
    await waitFor('hp through the host address', async () => (await wgetIn('hp', url)).code === 0);
    assert.deepEqual(await wgetIn('hp', url), { code: 0, out: 'hairpin' });
  });

  it('--ip gives the static address (inspect and inside)', async () => {
    const prefix = randomPrefix();
    ok(await d.polis(['network', 'create', '--subnet', `${prefix}.0/24`, 'static']));
    await sleeper('fixed', '--network', 'static', '--ip', `${prefix}.77`);
    assert.equal(
      ok(await d.polis(['inspect', '-f', '{{.NetworkSettings.Networks.static.IPAddress}}', 'fixed'])),
      `${prefix}.77`,
    );
    const addr = await inContainer('fixed', 'ip -4 -o addr show eth0');
    assert.match(addr, new RegExp(`inet ${prefix.replaceAll('.', '\\.')}\\.77/24 `));
  });

  it('--add-host, --dns and --dns-search land in /etc/hosts and /etc/resolv.conf', async () => {
    const res = await d.polis([
      'run',
      '--rm',
      '--add-host',
      'extra.example:10.1.2.3',
      '--dns',
      '1.2.3.4',
      '--dns-search',
      'x.y',
      'busybox',
      'sh',
      '-c',
      'cat /etc/hosts; echo ---; cat /etc/resolv.conf',
    ]);
    const [hosts, resolv] = ok(res).split('---');
    assert.ok(
      lines(hosts!).some((l) => /^10\.1\.2\.3\s+extra\.example$/.test(l)),
      hosts,
    );
    assert.ok(lines(resolv!).includes('nameserver 1.2.3.4'), resolv);
    assert.ok(lines(resolv!).includes('search x.y'), resolv);
    assert.equal(lines(resolv!).filter((l) => l.startsWith('nameserver')).length, 1, resolv);
  });

  it('a user network: nameserver is the gateway and peers resolve by name; not from the default bridge', async () => {
    await sleeper('named-peer', '--network', 'static');
    await sleeper('asker', '--network', 'static');
    await sleeper('on-bridge');
    const gateway = ok(
      await d.polis(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'static']),
    );
    const resolv = lines(await inContainer('asker', 'cat /etc/resolv.conf'));
    assert.deepEqual(
      resolv.filter((l) => l.startsWith('nameserver')),
      [`nameserver ${gateway}`],
    );
    const peerIp = ok(
      await d.polis(['inspect', '-f', '{{.NetworkSettings.Networks.static.IPAddress}}', 'named-peer']),
    );
    const answer = await inContainer('asker', 'timeout 5 nslookup named-peer');
    assert.match(answer, new RegExp(`Address:\\s+${peerIp.replaceAll('.', '\\.')}$`, 'm'));
    // On a user network --dns servers are the embedded server's upstreams (Docker's rule): the
    // container still asks its gateway; --dns-search is kept.
    const withDns = lines(
      ok(
        await d.polis([
          'run',
          '--rm',
          '--network',
          'static',
          '--dns',
          '1.2.3.4',
          '--dns-search',
          'x.y',
          'busybox',
          'cat',
          '/etc/resolv.conf',
        ]),
      ),
    );
    assert.deepEqual(
      withDns.filter((l) => l.startsWith('nameserver')),
      [`nameserver ${gateway}`],
    );
    assert.ok(withDns.includes('search x.y'), withDns.join('\n'));
    // Docker's rule: the default bridge has no embedded DNS, so container names do not resolve there.
    // Asked of the bridge's own gateway so that the query stays on this host.
    const bridgeGateway = ok(
      await d.polis(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'bridge']),
    );
    const bridgeResolv = lines(await inContainer('on-bridge', 'cat /etc/resolv.conf'));
    assert.ok(!bridgeResolv.includes(`nameserver ${bridgeGateway}`), bridgeResolv.join('\n'));
    const fromBridge = await d.polis([
      'exec',
      'on-bridge',
      'timeout',
      '5',
      'nslookup',
      'named-peer',
      bridgeGateway,
    ]);
    assert.notEqual(fromBridge.code, 0, fromBridge.stdout);
    assert.doesNotMatch(fromBridge.stdout, new RegExp(`Address:\\s+${peerIp.replaceAll('.', '\\.')}`));
  });

  it("-P publishes --expose'd ports on random host ports", async () => {
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'pall',
        '-P',
        '--expose',
        '80',
        '--expose',
        '8080',
        'busybox',
        ...httpd('published-all'),
      ]),
    );
    const mappings = lines(ok(await d.docker(['port', 'pall']))).sort();
    assert.equal(mappings.length, 2, mappings.join('\n'));
    assert.match(mappings[0]!, /^80\/tcp -> 0\.0\.0\.0:\d+$/);
    assert.match(mappings[1]!, /^8080\/tcp -> 0\.0\.0\.0:\d+$/);
    const port80 = Number(/:(\d+)$/.exec(mappings[0]!)![1]);
    const port8080 = Number(/:(\d+)$/.exec(mappings[1]!)![1]);
    assert.notEqual(port80, port8080);
    const body = await waitFor('the random port', () => httpGet('127.0.0.1', port80).catch(() => undefined));
    assert.equal(body.trim(), 'published-all');
  });

  it("--network container:NAME shares the other container's network", async () => {
    ok(await d.polis(['run', '-d', '--name', 'owner', 'busybox', ...httpd('owner-page')]));
    const ownerIp = ok(await d.polis(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'owner']));
    assert.match(ownerIp, /^\d+\.\d+\.\d+\.\d+$/);
    const res = await d.polis([
      'run',
      '--rm',
      '--init',
      '--network',
      'container:owner',
      'busybox',
      'sh',
      '-c',
      'ip -4 -o addr show eth0; echo ---; timeout 3 wget -qO- http://127.0.0.1/',
    ]);
    const [addr, page] = ok(res).split('---');
    assert.match(addr!, new RegExp(`inet ${ownerIp.replaceAll('.', '\\.')}/`));
    assert.equal(page!.trim(), 'owner-page');
  });

  it('--network none has only the loopback interface', async () => {
    const out = ok(await d.polis(['run', '--rm', '--network', 'none', 'busybox', 'ls', '/sys/class/net']));
    assert.deepEqual(out.split(/\s+/), ['lo']);
    const ip = ok(await d.polis(['run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'link']));
    assert.equal(lines(ip).length, 1, ip);
    assert.match(ip, /^1: lo:/);
  });
});
