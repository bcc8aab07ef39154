import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';

/** Open descriptors of a process. */
const fdCount = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/** A TCP connection to address:53, once connected or already closed by the server. */
function connect(address: string): Promise<net.Socket> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: address, port: 53 });
    sock.on('error', () => undefined);
    sock.once('connect', () => resolve(sock));
    sock.once('close', () => resolve(sock));
  });
}

/**
 * Run by node in a container's netns: opens argv[2] TCP connections to argv[1]:53 in batches of 100,
 * waits a moment, prints how many are still open and holds them until killed.
 */
const FLOOD = `
const net = require('node:net');
const [address, count] = process.argv.slice(1);
const connect = () => new Promise((resolve) => {
  const s = net.connect({ host: address, port: 53 });
  s.on('error', () => undefined);
  s.once('connect', () => resolve(s));
  s.once('close', () => resolve(s));
});
(async () => {
  const socks = [];
  for (let i = 0; i < Number(count); i += 100) socks.push(...(await Promise.all(Array.from({ length: 100 }, connect))));
  await new Promise((r) => setTimeout(r, 500));
  process.stdout.write(socks.filter((s) => !s.destroyed).length + '\\n');
  setInterval(() => undefined, 1000);
})();
`;

describe('the embedded DNS serves only its own network, with bounded TCP connections', () => {
  let d: TestDaemon;
  let gateway: string;
  let peerIp: string;
  const nslookup = (container: string, name: string, server: string) =>
    d.polis(['exec', container, 'timeout', '4', 'nslookup', name, server]);

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    ok(await d.polis(['network', 'create', 'dnsnet']));
    for (const [name, network] of [
      ['peer', 'dnsnet'],
      ['member', 'dnsnet'],
      ['outsider', 'bridge'],
    ] as const) {
      ok(await d.polis(['run', '-d', '--name', name, '--network', network, 'busybox', 'sleep', '300']));
    }
    gateway = ok(await d.polis(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'dnsnet']));
    peerIp = ok(await d.polis(['inspect', '-f', '{{.NetworkSettings.Networks.dnsnet.IPAddress}}', 'peer']));
  });
  after(async () => {
    await d?.cleanup();
  });

  it("a default-bridge container asking a user network's gateway gets no answer; a member does", async () => {
    const fromMember = await nslookup('member', 'peer', gateway);
    assert.equal(fromMember.code, 0, fromMember.stdout + fromMember.stderr);
    assert.match(fromMember.stdout, new RegExp(`Address:\\s+${peerIp.replaceAll('.', '\\.')}$`, 'm'));
    // The outsider reaches the gateway (it is an address of this host) but must not learn the name.
    const fromOutside = await nslookup('outsider', 'peer', gateway);
    assert.notEqual(fromOutside.code, 0, fromOutside.stdout);
    assert.doesNotMatch(fromOutside.stdout, new RegExp(peerIp.replaceAll('.', '\\.')));
  });

  it("a flood of TCP connections, from the network or from the host, does not eat polisd's descriptors", async (t) => {
    const pid = d.child!.pid!;
    const memberPid = ok(await d.polis(['inspect', '-f', '{{.State.Pid}}', 'member']));
    const before = fdCount(pid);
    // From inside the network (the member's netns): one client, kept up to its cap.
    const flooder = spawn(
      'nsenter',
      [`--net=/proc/${memberPid}/ns/net`, process.execPath, '-e', FLOOD, gateway, '1000'],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    try {
      const [line] = (await once(flooder.stdout, 'data')) as [Buffer];
      const inside = Number(line.toString().trim());
      // From the host: its address is outside the subnet, so nothing stays.
      const socks: net.Socket[] = [];
      for (let i = 0; i < 500; i += 100) {
        socks.push(...(await Promise.all(Array.from({ length: 100 }, () => connect(gateway)))));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const outside = socks.filter((s) => !s.destroyed).length;
      const during = fdCount(pid);
      for (const s of socks) s.destroy();
      t.diagnostic(
        `1000 connections from a member, 500 from the host: polisd descriptors ${before} -> ${during}; ` +
          `kept open ${inside} and ${outside}`,
      );
      assert.ok(inside > 0 && inside <= 16, `${inside} connections of the member stayed open`);
      assert.equal(outside, 0, 'none from the host');
      assert.ok(during - before <= 16 + 20, `polisd went from ${before} to ${during} descriptors`);
      // And it still answers the network's containers.
      const res = await nslookup('member', 'peer', gateway);
      assert.equal(res.code, 0, res.stdout + res.stderr);
    } finally {
      flooder.kill();
    }
  });
});
