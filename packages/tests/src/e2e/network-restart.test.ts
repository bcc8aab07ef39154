import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { freePort, httpGet, nftTable } from '../harness/network.js';
import { runCommand } from '../harness/run.js';
import { waitFor } from '../harness/wait.js';

const httpd = (text: string): string[] => [
  'sh',
  '-c',
  `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`,
];

/** The host interface that holds `address` (a network's bridge, found by its gateway). */
async function interfaceWith(address: string): Promise<string | undefined> {
  const res = await runCommand('ip', ['-j', '-4', 'addr', 'show', 'to', `${address}/32`]);
  const list = JSON.parse(res.stdout || '[]') as { ifname: string }[];
  return list[0]?.ifname;
}

/** Names of the links enslaved to `bridge` (the host ends of the containers' veths). */
async function portsOf(bridge: string): Promise<string[]> {
  const res = await runCommand('ip', ['-j', 'link', 'show', 'master', bridge]);
  return (JSON.parse(res.stdout || '[]') as { ifname: string }[]).map((l) => l.ifname);
}

async function linkExists(name: string): Promise<boolean> {
  return (await runCommand('ip', ['link', 'show', 'dev', name])).code === 0;
}

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  describe(`network leases across a polisd restart (${signal})`, () => {
    let d: TestDaemon;
    const prefix = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
    let port = 0;
    let bridgePort = 0;
    let keeperIp = '';
    let bridgeKeeperIp = '';
    let veths: string[] = [];
    const ipOn = async (network: string, container: string): Promise<string> =>
      ok(
        await d.polis([
          'inspect',
          '-f',
          `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`,
          container,
        ]),
      );

    before(async () => {
      d = await TestDaemon.start();
      await d.importBusybox();
      ok(await d.polis(['network', 'create', '--subnet', `${prefix}.0/24`, 'keep']));
      port = await freePort();
      bridgePort = await freePort();
      ok(
        await d.polis([
          'run',
          '-d',
          '--name',
          'keeper',
          '--network',
          'keep',
          '-p',
          `${port}:80`,
          'busybox',
          ...httpd('kept'),
        ]),
      );
      ok(
        await d.polis([
          'run',
          '-d',
          '--name',
          'bkeeper',
          '-p',
          `${bridgePort}:80`,
          'busybox',
          ...httpd('bkept'),
        ]),
      );
      keeperIp = await ipOn('keep', 'keeper');
      bridgeKeeperIp = await ipOn('bridge', 'bkeeper');
      await waitFor('the published port', () => httpGet('127.0.0.1', port).catch(() => undefined));
      await waitFor('the bridge published port', () =>
        httpGet('127.0.0.1', bridgePort).catch(() => undefined),
      );
    });
    after(async () => {
      await d?.cleanup();
    });

    it(`the containers keep answering on their published ports through the ${signal} and restart`, async () => {
      const userBridge = await interfaceWith(`${prefix}.1`);
      const defaultBridge = await interfaceWith(
        ok(await d.polis(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'bridge'])),
      );
      assert.ok(userBridge && defaultBridge, 'both bridges are on the host');
      veths = [...(await portsOf(userBridge)), ...(await portsOf(defaultBridge))];
      assert.equal(veths.length, 2, veths.join(','));

      await d.stopProcess(signal);
      assert.equal((await httpGet('127.0.0.1', port)).trim(), 'kept');
      assert.equal((await httpGet('127.0.0.1', bridgePort)).trim(), 'bkept');
      await d.startProcess();
      assert.equal((await httpGet('127.0.0.1', port)).trim(), 'kept');
      assert.equal((await httpGet('127.0.0.1', bridgePort)).trim(), 'bkept');
      assert.equal(await ipOn('keep', 'keeper'), keeperIp);
      assert.equal(await ipOn('bridge', 'bkeeper'), bridgeKeeperIp);
      assert.equal(ok(await d.polis(['inspect', '-f', '{{.State.Status}}', 'keeper'])), 'running');
    });

    it('after the restart new containers get other addresses, and the name still resolves', async () => {
      ok(await d.polis(['run', '-d', '--name', 'newcomer', '--network', 'keep', 'busybox', 'sleep', '300']));
      ok(await d.polis(['run', '-d', '--name', 'bnewcomer', 'busybox', 'sleep', '300']));
      const ip = await ipOn('keep', 'newcomer');
      const bip = await ipOn('bridge', 'bnewcomer');
      assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
      assert.notEqual(ip, keeperIp);
      assert.match(bip, /^\d+\.\d+\.\d+\.\d+$/);
      assert.notEqual(bip, bridgeKeeperIp);
      const fetched = await d.polis(['exec', 'newcomer', 'timeout', '3', 'wget', '-qO-', 'http://keeper/']);
      assert.equal(ok(fetched), 'kept');
      // The running container's address is still leased: asking for it is refused.
      const dup = await d.polis([
        'run',
        '-d',
        '--name',
        'dup',
        '--network',
        'keep',
        '--ip',
        keeperIp,
        'busybox',
        'sleep',
        '300',
      ]);
      assert.notEqual(dup.code, 0, `a second container was given ${keeperIp}`);
      assert.match(dup.stderr, /Address already in use: /);
      // As in Docker, the failure is at start: the container is left created, without an address.
      assert.equal(ok(await d.polis(['inspect', '-f', '{{.State.Status}}', 'dup'])), 'created');
      ok(await d.polis(['rm', '-f', 'dup']));
    });

    it('rm -f releases everything: the address can be given again with --ip, no veth or port is left', async () => {
      ok(await d.polis(['rm', '-f', 'keeper', 'bkeeper', 'newcomer', 'bnewcomer']));
      await assert.rejects(httpGet('127.0.0.1', port, '/', 1000));
      await assert.rejects(httpGet('127.0.0.1', bridgePort, '/', 1000));
      for (const v of veths) assert.equal(await linkExists(v), false, `veth ${v} is left`);
      assert.doesNotMatch(await nftTable(d.dataRoot), /elements = \{[^}]*:/);

      ok(
        await d.polis([
          'run',
          '-d',
          '--name',
          'reuse',
          '--network',
          'keep',
          '--ip',
          keeperIp,
          'busybox',
          'sleep',
          '300',
        ]),
      );
      assert.equal(await ipOn('keep', 'reuse'), keeperIp);
      ok(await d.polis(['rm', '-f', 'reuse']));
      ok(await d.polis(['network', 'rm', 'keep']));
      assert.equal(await interfaceWith(`${prefix}.1`), undefined, 'the network bridge is gone');
    });
  });
}
