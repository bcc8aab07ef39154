import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { isPolisError, proc, which } from '@polis/core';

type ChildProcess = proc.ChildProcess;
import { hostVethName, macFor, unwireEndpoints, wireEndpoints, type WireRequest } from './wire.js';

test('macFor is 02:42 and the IPv4 bytes', () => {
  assert.equal(macFor('172.17.0.2'), '02:42:ac:11:00:02');
  assert.equal(macFor('10.255.1.254'), '02:42:0a:ff:01:fe');
  assert.throws(
    () => macFor('fd00::2'),
    (err: unknown) => isPolisError(err, 'network.invalid'),
  );
  assert.throws(
    () => macFor('300.1.1.1'),
    (err: unknown) => isPolisError(err, 'network.invalid'),
  );
});

test('host veth names are stable, distinct per pair and fit IFNAMSIZ', () => {
  const a = hostVethName('c'.repeat(64), 'n'.repeat(64));
  assert.match(a, /^pv[0-9a-f]{12}$/);
  assert.equal(a, hostVethName('c'.repeat(64), 'n'.repeat(64)));
  assert.notEqual(a, hostVethName('c'.repeat(64), 'm'.repeat(64)));
  assert.notEqual(a, hostVethName('d'.repeat(64), 'n'.repeat(64)));
});

test('bad requests are refused before anything is spawned', async () => {
  const good: WireRequest = {
    netns: { pid: 1 },
    bridge: 'br0',
    hostVeth: 'pv0',
    interfaceName: 'eth0',
    address: '10.0.0.2',
    prefixLength: 24,
    macAddress: '02:42:0a:00:00:02',
    gateway: '10.0.0.1',
    defaultRoute: true,
  };
  const bad: Partial<WireRequest>[] = [
    { hostVeth: 'pv0\nlink del eth0' },
    { interfaceName: 'a-name-longer-than-15' },
    { address: '10.0.0' },
    { prefixLength: 33 },
    { macAddress: 'zz:42:0a:00:00:02' },
    { gateway: '' },
    { netns: { pid: 0 } },
    { netns: { name: 'a/../b' } },
    { netns: { name: '' } },
    { mtu: 10 },
  ];
  for (const b of bad) {
    await assert.rejects(wireEndpoints([{ ...good, ...b }]), (err: unknown) =>
      isPolisError(err, 'network.invalid'),
    );
  }
  for (const other of [{ pid: 2 }, { name: 'polis-x' }]) {
    await assert.rejects(wireEndpoints([good, { ...good, netns: other }]), (err: unknown) =>
      isPolisError(err, 'network.invalid'),
    );
  }
  await assert.rejects(unwireEndpoints([], '../etc'), (err: unknown) => isPolisError(err, 'network.invalid'));
  await wireEndpoints([]);
  await unwireEndpoints([]);
});

const canWire = process.getuid?.() === 0 && !!which('ip') && !!which('nsenter') && !!which('unshare');

async function run(command: string, args: string[], input?: string): Promise<string> {
  return (await proc.run(which(command) ?? command, args, input === undefined ? {} : { input })).stdout;
}

async function json<T>(command: string, args: string[]): Promise<T> {
  return JSON.parse(await run(command, args)) as T;
}

interface Link {
  ifname: string;
  address?: string;
  flags: string[];
  master?: string;
  mtu: number;
  addr_info?: { local: string; prefixlen: number; family: string }[];
}

/** A netns holder: `unshare -n sleep`; ready once its network namespace differs from ours. */
async function holder(): Promise<ChildProcess> {
  const child = proc.start('unshare', ['-n', 'sleep', '60'], { stdio: 'ignore' });
  const own = readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 200; i++) {
    try {
      if (readlinkSync(`/proc/${child.pid}/ns/net`) !== own) return child;
    } catch {
      // Not there yet.
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGKILL');
  throw new Error('netns holder did not unshare');
}

/** Two free /24s in 10.x (not routed on this host). */
async function subnets(): Promise<[string, string]> {
  const routes = await json<{ dst: string }[]>('ip', ['-j', 'route']);
  const used = new Set(routes.map((r) => r.dst));
  const picked: string[] = [];
  while (picked.length < 2) {
    const net = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
    if (!used.has(`${net}.0/24`) && !picked.includes(net)) picked.push(net);
  }
  return picked as [string, string];
}

/** Reads one line a TCP server on `host` sends, from inside the netns of `pid` or the named netns (bash's /dev/tcp). */
async function fetchFromNetns(netns: number | string, host: string, port: number): Promise<string> {
  const script = `exec 3<>/dev/tcp/${host}/${port}; head -n1 <&3`;
  const into = typeof netns === 'number' ? ['-t', String(netns), '-n'] : [`--net=/run/netns/${netns}`];
  return (await run('nsenter', [...into, 'timeout', '5', 'bash', '-c', script])).trim();
}

test(
  'wires two endpoints into a real netns, undoes failures, leaves nothing behind',
  { skip: !canWire && 'needs root, ip, nsenter, unshare' },
  async (t) => {
    const tag = randomBytes(3).toString('hex');
    const bridges = [`pltest${tag}a`, `pltest${tag}b`];
    const [netA, netB] = await subnets();
    let child: ChildProcess | undefined;
    const veths = [hostVethName(`c${tag}`, 'a'), hostVethName(`c${tag}`, 'b')];
    try {
      await run(
        'ip',
        ['-batch', '-'],
        [
          `link add ${bridges[0]} type bridge`,
          `addr add ${netA}.1/24 dev ${bridges[0]}`,
          `link set ${bridges[0]} up`,
          `link add ${bridges[1]} type bridge`,
          `addr add ${netB}.1/24 dev ${bridges[1]}`,
          `link set ${bridges[1]} up`,
        ].join('\n') + '\n',
      );
      child = await holder();
      const pid = child.pid!;
      const requests: WireRequest[] = [
        {
          netns: { pid },
          bridge: bridges[0]!,
          hostVeth: veths[0]!,
          interfaceName: 'eth0',
          address: `${netA}.2`,
          prefixLength: 24,
          macAddress: macFor(`${netA}.2`),
          gateway: `${netA}.1`,
          defaultRoute: true,
          mtu: 1400,
        },
        {
          netns: { pid },
          bridge: bridges[1]!,
          hostVeth: veths[1]!,
          interfaceName: 'eth1',
          address: `${netB}.7`,
          prefixLength: 24,
          macAddress: macFor(`${netB}.7`),
          gateway: `${netB}.1`,
          defaultRoute: true,
        },
      ];

      // A failure inside the netns (a gateway off every subnet) removes the host veths it made.
      await assert.rejects(
        wireEndpoints([{ ...requests[0]!, gateway: '192.0.2.222', defaultRoute: true }, requests[1]!]),
        (err: unknown) => isPolisError(err, 'network.setup_failed'),
      );
      assert.deepEqual(
        veths.filter((v) => existsSync(`/sys/class/net/${v}`)),
        [],
      );
      // So does a failure on the host side (the second endpoint's bridge does not exist).
      await assert.rejects(
        wireEndpoints([requests[0]!, { ...requests[1]!, bridge: `pltest${tag}x` }]),
        (err: unknown) => isPolisError(err, 'network.setup_failed') && /pltest/.test(err.message),
      );
      assert.deepEqual(
        veths.filter((v) => existsSync(`/sys/class/net/${v}`)),
        [],
      );

      const started = performance.now();
      await wireEndpoints(requests);
      const wireMs = performance.now() - started;
      t.diagnostic(`wireEndpoints, 2 endpoints: ${wireMs.toFixed(1)} ms`);

      const inside = await json<Link[]>('nsenter', ['-t', String(pid), '-n', 'ip', '-j', 'addr']);
      const byName = new Map(inside.map((l) => [l.ifname, l]));
      assert.ok(byName.get('lo')!.flags.includes('UP'));
      for (const r of requests) {
        const link = byName.get(r.interfaceName);
        assert.ok(link, `${r.interfaceName} inside`);
        assert.ok(link.flags.includes('UP'));
        assert.equal(link.address, r.macAddress);
        assert.equal(link.mtu, r.mtu ?? 1500);
        assert.deepEqual(
          link.addr_info?.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
          [`${r.address}/${r.prefixLength}`],
        );
      }
      const routes = await json<{ dst: string; gateway?: string; dev: string }[]>('nsenter', [
        '-t',
        String(pid),
        '-n',
        'ip',
        '-j',
        'route',
      ]);
      assert.deepEqual(
        routes.filter((r) => r.dst === 'default'),
        [{ dst: 'default', gateway: `${netA}.1`, dev: 'eth0', flags: [] }],
      );
      const hostSide = await json<Link[]>('ip', ['-j', 'link', 'show', 'master', bridges[0]!]);
      assert.deepEqual(
        hostSide.map((l) => [l.ifname, l.flags.includes('UP'), l.mtu]),
        [[veths[0], true, 1400]],
      );

      // Traffic: the container reaches a server on its gateway, which sees the container's address.
      const server = createServer((s) => s.end(`hello ${s.remoteAddress}\n`));
      await new Promise<void>((resolve) => server.listen({ host: `${netA}.1`, port: 0 }, resolve));
      try {
        const { port } = server.address() as AddressInfo;
        assert.equal(await fetchFromNetns(pid, `${netA}.1`, port), `hello ${netA}.2`);
      } finally {
        server.close();
      }

      // Unwiring a running container (network disconnect) deletes its veths.
      const unwireStart = performance.now();
      await unwireEndpoints([veths[1]!]);
      t.diagnostic(`unwireEndpoints, 1 live veth: ${(performance.now() - unwireStart).toFixed(1)} ms`);
      assert.equal(existsSync(`/sys/class/net/${veths[1]}`), false);
      assert.equal(
        (await json<Link[]>('nsenter', ['-t', String(pid), '-n', 'ip', '-j', 'link'])).some(
          (l) => l.ifname === 'eth1',
        ),
        false,
      );

      // Rounds of one-endpoint wiring, for the per-container cost.
      const times: number[] = [];
      await unwireEndpoints([veths[0]!]);
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        await wireEndpoints([requests[0]!]);
        times.push(performance.now() - t0);
        await unwireEndpoints([veths[0]!]);
      }
      times.sort((a, b) => a - b);
      t.diagnostic(
        `wireEndpoints, 1 endpoint, 10 rounds: median ${times[5]!.toFixed(1)} ms, max ${times[9]!.toFixed(1)} ms`,
      );
      // Timings are reported, not asserted: speed belongs to the bench (this machine is shared and noisy).

      // A stopped container: its netns goes and takes the veth along; unwiring is then a no-op.
      await wireEndpoints([requests[0]!]);
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      for (let i = 0; i < 200 && existsSync(`/sys/class/net/${veths[0]}`); i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal(existsSync(`/sys/class/net/${veths[0]}`), false);
      await unwireEndpoints(veths);
      await unwireEndpoints(veths);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await run('ip', ['-force', '-batch', '-'], bridges.map((b) => `link del ${b}\n`).join('')).catch(
        () => undefined,
      );
    }
    const left = (await json<Link[]>('ip', ['-j', 'link']))
      .map((l) => l.ifname)
      .filter((n) => n.startsWith(`pltest${tag}`) || veths.includes(n));
    assert.deepEqual(left, []);
  },
);

test(
  'a named netns: made by the wiring before any process is in it, deleted with its veth by the unwiring',
  { skip: !canWire && 'needs root, ip, nsenter, unshare' },
  async (t) => {
    const tag = randomBytes(3).toString('hex');
    const bridge = `pltest${tag}n`;
    const [net] = await subnets();
    const name = `polis-test-${tag}`;
    const veth = hostVethName(`n${tag}`, 'a');
    const request: WireRequest = {
      netns: { name },
      bridge,
      hostVeth: veth,
      interfaceName: 'eth0',
      address: `${net}.2`,
      prefixLength: 24,
      macAddress: macFor(`${net}.2`),
      gateway: `${net}.1`,
      defaultRoute: true,
    };
    try {
      await run(
        'ip',
        ['-batch', '-'],
        `link add ${bridge} type bridge\naddr add ${net}.1/24 dev ${bridge}\nlink set ${bridge} up\n`,
      );
      // A failure inside (a gateway off the subnet) leaves neither the netns nor the veth.
      await assert.rejects(wireEndpoints([{ ...request, gateway: '192.0.2.222' }]), (err: unknown) =>
        isPolisError(err, 'network.setup_failed'),
      );
      assert.equal(existsSync(`/run/netns/${name}`), false);
      assert.equal(existsSync(`/sys/class/net/${veth}`), false);

      const started = performance.now();
      await wireEndpoints([request]);
      t.diagnostic(`wireEndpoints into a new named netns: ${(performance.now() - started).toFixed(1)} ms`);
      assert.ok(existsSync(`/run/netns/${name}`));
      const inside = await json<Link[]>('ip', ['-n', name, '-j', 'addr']);
      const eth0 = inside.find((l) => l.ifname === 'eth0');
      assert.equal(eth0?.address, request.macAddress);
      assert.deepEqual(
        eth0?.addr_info?.filter((a) => a.family === 'inet').map((a) => a.local),
        [request.address],
      );
      const server = createServer((s) => s.end(`hello ${s.remoteAddress}\n`));
      await new Promise<void>((resolve) => server.listen({ host: `${net}.1`, port: 0 }, resolve));
      try {
        const { port } = server.address() as AddressInfo;
        assert.equal(await fetchFromNetns(name, `${net}.1`, port), `hello ${net}.2`);
      } finally {
        server.close();
      }

      const unwireStart = performance.now();
      await unwireEndpoints([veth], name);
      t.diagnostic(`unwireEndpoints with its netns: ${(performance.now() - unwireStart).toFixed(1)} ms`);
      assert.equal(existsSync(`/run/netns/${name}`), false);
      assert.equal(existsSync(`/sys/class/net/${veth}`), false);
      // Again: nothing left to do, nothing spawned that could fail.
      await unwireEndpoints([veth], name);
      // A netns file whose mount is already gone (polisd killed between the unmount and the unlink) is
      // unlinked too; a new wiring then makes the netns afresh, telling when it exists.
      writeFileSync(`/run/netns/${name}`, '');
      await unwireEndpoints([veth], name);
      assert.equal(existsSync(`/run/netns/${name}`), false);
      let madeFirst = false;
      await wireEndpoints([request], () => (madeFirst = existsSync(`/run/netns/${name}`)));
      assert.ok(madeFirst, 'onNetns called once the netns exists');
      await unwireEndpoints([veth], name);
      assert.equal(existsSync(`/run/netns/${name}`), false);
    } finally {
      await run('ip', ['netns', 'del', name]).catch(() => undefined);
      await run('ip', ['link', 'del', bridge]).catch(() => undefined);
    }
    assert.equal(existsSync(`/run/netns/${name}`), false);
  },
);
