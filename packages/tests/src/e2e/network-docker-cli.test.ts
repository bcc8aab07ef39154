import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { freePort, httpGet } from '../harness/network.js';
import { waitFor } from '../harness/wait.js';

/** A /24 unlikely to be taken by another daemon running on this host at the same time. */
const randomSubnet = (): { subnet: string; gateway: string; prefix: string } => {
  const prefix = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
  return { subnet: `${prefix}.0/24`, gateway: `${prefix}.254`, prefix };
};

const httpd = (text: string): string[] => [
  'sh',
  '-c',
  `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`,
];

interface NetworkInspect {
  Name: string;
  Id: string;
  IPAM: { Config: { Subnet: string; Gateway: string }[] };
  Labels: Record<string, string>;
  Containers: Record<string, { Name: string; IPv4Address: string }>;
}

/** The real docker CLI driving polisd's networks, as a user would. */
describe('docker CLI: networks', () => {
  let d: TestDaemon;
  const net = randomSubnet();
  let port = 0;
  const inspectNet = async (name: string): Promise<NetworkInspect> => {
    const list = JSON.parse(ok(await d.docker(['network', 'inspect', name]))) as NetworkInspect[];
    assert.equal(list.length, 1);
    return list[0]!;
  };
  /** wget from inside `container` (an exec, so not PID 1: timeout can stop it). */
  const wgetIn = async (container: string, url: string): Promise<{ code: number; out: string }> => {
    const res = await d.docker(['exec', container, 'timeout', '2', 'wget', '-qO-', url]);
    return { code: res.code, out: res.stdout.trim() };
  };

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });
  after(async () => {
    await d?.cleanup();
  });

  it('network create with --subnet/--gateway/--label; ls (table, --filter, -q); inspect', async () => {
    const id = ok(
      await d.docker([
        'network',
        'create',
        '--subnet',
        net.subnet,
        '--gateway',
        net.gateway,
        '--label',
        'a=b',
        'cli-net',
      ]),
    );
    assert.match(id, /^[0-9a-f]{64}$/);
    const table = lines(ok(await d.docker(['network', 'ls'])));
    assert.match(table[0]!, /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
    assert.ok(
      table.some((l) => l.startsWith(id.slice(0, 12)) && /\s+cli-net\s+bridge\s+local$/.test(l)),
      table.join('\n'),
    );
    assert.ok(
      table.some((l) => /\s+bridge\s+bridge\s+local$/.test(l)),
      'the default bridge network is listed',
    );
    assert.deepEqual(lines(ok(await d.docker(['network', 'ls', '--filter', 'name=cli-net', '-q']))), [
      id.slice(0, 12),
    ]);
    assert.deepEqual(lines(ok(await d.docker(['network', 'ls', '--filter', 'name=nosuch', '-q']))), []);
    const n = await inspectNet('cli-net');
    assert.equal(n.Id, id);
    assert.deepEqual(n.IPAM.Config, [{ Subnet: net.subnet, Gateway: net.gateway }]);
    assert.deepEqual(n.Labels, { a: 'b' });
    assert.deepEqual(n.Containers, {});
  });

  it('docker run --network --network-alias -p; inspect shows the container; docker port; host fetch', async () => {
    port = await freePort();
    const id = ok(
      await d.docker([
        'run',
        '-d',
        '--name',
        'web',
        '--network',
        'cli-net',
        '--network-alias',
        'al',
        '-p',
        `${port}:80`,
        'busybox',
        ...httpd('hello-cli'),
      ]),
    );
    const n = await inspectNet('cli-net');
    const entry = n.Containers[id];
    assert.ok(entry, JSON.stringify(n.Containers));
    assert.equal(entry.Name, 'web');
    assert.match(entry.IPv4Address, new RegExp(`^${net.prefix.replaceAll('.', '\\.')}\\.\\d+/24$`));
    assert.deepEqual(lines(ok(await d.docker(['port', 'web']))), [`80/tcp -> 0.0.0.0:${port}`]);
    assert.deepEqual(lines(ok(await d.docker(['port', 'web', '80/tcp']))), [`0.0.0.0:${port}`]);
    const body = await waitFor('the published port', () => httpGet('127.0.0.1', port).catch(() => undefined));
    assert.equal(body.trim(), 'hello-cli');
    // The alias answers on the network as well as the name.
    ok(await d.docker(['run', '-d', '--name', 'peer', '--network', 'cli-net', 'busybox', 'sleep', '300']));
    assert.deepEqual(await wgetIn('peer', 'http://al/'), { code: 0, out: 'hello-cli' });
  });

  it('docker network connect of the running container, then disconnect', async () => {
    ok(await d.docker(['network', 'create', 'cli-net2']));
    ok(
      await d.docker(['run', '-d', '--name', 'client2', '--network', 'cli-net2', 'busybox', 'sleep', '300']),
    );
    // Before connecting, web is not on cli-net2: its name does not resolve there.
    assert.notEqual((await wgetIn('client2', 'http://web/')).code, 0);
    ok(await d.docker(['network', 'connect', 'cli-net2', 'web']));
    const ip2 = ok(
      await d.docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "cli-net2").IPAddress}}', 'web']),
    );
    assert.match(ip2, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(ok(await d.docker(['inspect', '-f', '{{.State.Status}}', 'web'])), 'running');
    assert.deepEqual(await wgetIn('client2', 'http://web/'), { code: 0, out: 'hello-cli' });
    assert.deepEqual(await wgetIn('client2', `http://${ip2}/`), { code: 0, out: 'hello-cli' });
    const n2 = await inspectNet('cli-net2');
    assert.deepEqual(
      Object.values(n2.Containers)
        .map((c) => c.Name)
        .sort(),
      ['client2', 'web'],
    );

    ok(await d.docker(['network', 'disconnect', 'cli-net2', 'web']));
    assert.notEqual((await wgetIn('client2', 'http://web/')).code, 0, 'name gone from cli-net2');
    assert.notEqual((await wgetIn('client2', `http://${ip2}/`)).code, 0, 'address gone from cli-net2');
    const networks = ok(await d.docker(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'web']));
    assert.deepEqual(Object.keys(JSON.parse(networks) as object), ['cli-net']);
    // Still serving on its first network and its published port.
    assert.deepEqual(await wgetIn('peer', 'http://web/'), { code: 0, out: 'hello-cli' });
    assert.equal((await httpGet('127.0.0.1', port)).trim(), 'hello-cli');
  });

  it('docker network rm of a network in use fails; after docker rm -f it works; prune', async () => {
    const inUse = await d.docker(['network', 'rm', 'cli-net']);
    assert.notEqual(inUse.code, 0);
    assert.match(inUse.stderr, /Error response from daemon: .*has active endpoints/);
    assert.ok(lines(ok(await d.docker(['network', 'ls', '--format', '{{.Name}}']))).includes('cli-net'));
    ok(await d.docker(['rm', '-f', 'web', 'peer']));
    assert.equal(ok(await d.docker(['network', 'rm', 'cli-net'])), 'cli-net');
    const missing = await d.docker(['network', 'inspect', 'cli-net']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /not found/i);

    ok(await d.docker(['network', 'create', 'cli-unused']));
    // cli-net2 still has client2: prune keeps it and removes the unused one.
    const pruned = ok(await d.docker(['network', 'prune', '-f']));
    assert.match(pruned, /Deleted Networks:\ncli-unused/);
    assert.doesNotMatch(pruned, /cli-net2/);
    const names = lines(ok(await d.docker(['network', 'ls', '--format', '{{.Name}}']))).sort();
    assert.deepEqual(names, ['bridge', 'cli-net2', 'host', 'none']);
    ok(await d.docker(['rm', '-f', 'client2']));
    assert.match(ok(await d.docker(['network', 'prune', '-f'])), /cli-net2/);
    assert.deepEqual(lines(ok(await d.docker(['network', 'ls', '--format', '{{.Name}}']))).sort(), [
      'bridge',
      'host',
      'none',
    ]);
  });
});
