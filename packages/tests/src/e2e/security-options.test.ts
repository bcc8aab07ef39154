import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { postJson, rawRequest } from '../harness/http.js';
import type { CommandResult } from '../harness/run.js';

/** A status line of /proc/1/status in the container, e.g. `CapEff` → `0000000000000400`. */
function field(status: string, name: string): string {
  const m = new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status);
  assert.ok(m, `${name} in:\n${status}`);
  return m[1] as string;
}

const bit = (hex: string, n: number): boolean => ((BigInt(`0x${hex}`) >> BigInt(n)) & 1n) === 1n;
const CAP_NET_BIND_SERVICE = 10;
const CAP_SYS_ADMIN = 21;
const CAP_SYS_MODULE = 16;

function failed(res: CommandResult, what: string): string {
  assert.notEqual(res.code, 0, `${what} should fail\nstdout: ${res.stdout}`);
  return res.stderr + res.stdout;
}

interface Report {
  pid: number;
  capabilities: { effective: string[]; bounding: string[]; permitted: string[] };
  seccomp: { mode: number; modeName: string; profileDigest: string | null };
  noNewPrivileges: boolean;
  namespaces: Record<string, string>;
  uidMap: { containerId: number; hostId: number; size: number }[];
  readonlyRootfs: boolean;
  privileged: boolean;
  maskedPaths: { path: string; state: string }[];
  limits: {
    version: string;
    memoryLimit?: number | null;
    pidsMax?: number | null;
    cpuQuota?: number | null;
    cpuPeriod?: number;
  };
}

/** Capabilities, seccomp, devices, sysctls, namespaces and the security report on real containers. */
describe('security options', () => {
  let d: TestDaemon;
  let dir: string;
  let profile: string;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    dir = await mkdtemp(join(tmpdir(), 'polis-seccomp-'));
    profile = join(dir, 'no-mkdir.json');
    // Docker's profile format: allow everything but mkdir, which fails with EPERM.
    await writeFile(
      profile,
      JSON.stringify(
        {
          defaultAction: 'SCMP_ACT_ALLOW',
          architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
          syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
        },
        null,
        2,
      ),
    );
  });

  after(async () => {
    await d?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const polisRun = (args: string[]): Promise<CommandResult> => d.polis(['run', '--rm', ...args]);
  const dockerRun = (args: string[]): Promise<CommandResult> => d.docker(['run', '--rm', ...args]);

  for (const [cli, run] of [
    ['polis', polisRun],
    ['docker', dockerRun],
  ] as const) {
    it(`${cli}: --cap-drop ALL --cap-add NET_BIND_SERVICE leaves exactly that capability`, async () => {
      const status = ok(
        await run(['--cap-drop', 'ALL', '--cap-add', 'net_bind_service', 'busybox', 'cat', '/proc/1/status']),
      );
      for (const set of ['CapEff', 'CapPrm', 'CapBnd'])
        assert.equal(BigInt(`0x${field(status, set)}`), 1n << BigInt(CAP_NET_BIND_SERVICE), set);
    });

    it(`${cli}: a seccomp profile file that denies mkdir makes mkdir fail with EPERM`, async () => {
      const out = failed(
        await run(['--security-opt', `seccomp=${profile}`, 'busybox', 'mkdir', '/tmp/x']),
        'mkdir',
      );
      assert.match(out, /Operation not permitted/);
      // The same container runs without the profile's rule.
      ok(await run(['busybox', 'mkdir', '/tmp/x']), 'mkdir without the profile');
    });

    it(`${cli}: no-new-privileges sets NoNewPrivs`, async () => {
      const on = ok(await run(['--security-opt', 'no-new-privileges', 'busybox', 'cat', '/proc/1/status']));
      assert.equal(field(on, 'NoNewPrivs'), '1');
      const off = ok(await run(['busybox', 'cat', '/proc/1/status']));
      assert.equal(field(off, 'NoNewPrivs'), '0');
    });
  }

  it('an unknown capability is a 400 in Docker words', async () => {
    const out = failed(await polisRun(['--cap-add', 'BOGUS', 'busybox', 'true']), '--cap-add BOGUS');
    assert.match(out, /unknown capability: "CAP_BOGUS"/);
  });

  it('--privileged can mount a tmpfs and sees the host devices; a default container cannot mount', async () => {
    const mounted = ok(
      await polisRun([
        '--privileged',
        'busybox',
        'sh',
        '-c',
        'mount -t tmpfs none /tmp && grep " /tmp " /proc/mounts',
      ]),
    );
    assert.match(mounted, /^none \/tmp tmpfs /);
    const devs = ok(await polisRun(['--privileged', 'busybox', 'ls', '/dev']));
    assert.ok(devs.split('\n').includes('loop-control'), devs);
    const out = failed(await polisRun(['busybox', 'mount', '-t', 'tmpfs', 'none', '/tmp']), 'mount');
    assert.match(out, /permission denied|Operation not permitted/i);
    const sys = ok(await polisRun(['--privileged', 'busybox', 'grep', ' /sys ', '/proc/mounts']));
    assert.match(sys, / rw,/);
    // /proc/sys is writable (its own network namespace keeps the host's value safe); not by default.
    const write = 'echo 1 > /proc/sys/net/ipv4/ip_forward && cat /proc/sys/net/ipv4/ip_forward';
    assert.equal(ok(await polisRun(['--privileged', 'busybox', 'sh', '-c', write])), '1');
    assert.match(
      failed(await polisRun(['busybox', 'sh', '-c', write]), '/proc/sys by default'),
      /Read-only file system/,
    );
  });

  it('a default container cannot load modules, change the host name, or read /proc/kcore and /sys/firmware', async () => {
    const status = ok(await polisRun(['busybox', 'cat', '/proc/1/status']));
    assert.equal(bit(field(status, 'CapBnd'), CAP_SYS_MODULE), false, 'CAP_SYS_MODULE');
    assert.equal(bit(field(status, 'CapBnd'), CAP_SYS_ADMIN), false, 'CAP_SYS_ADMIN');
    assert.match(failed(await polisRun(['busybox', 'rmmod', 'dummy']), 'rmmod'), /Operation not permitted/);
    const before = hostname();
    failed(await polisRun(['busybox', 'hostname', 'evil']), 'hostname');
    assert.equal(hostname(), before);
    // This kernel may have no /proc/kcore; /proc/timer_list always has text on the host and is masked too.
    assert.equal(ok(await polisRun(['busybox', 'sh', '-c', 'head -c 64 /proc/kcore | wc -c'])), '0');
    assert.ok(readFileSync('/proc/timer_list', 'utf8').length > 0);
    assert.equal(ok(await polisRun(['busybox', 'sh', '-c', 'cat /proc/timer_list | wc -c'])), '0');
    assert.equal(ok(await polisRun(['busybox', 'ls', '-A', '/sys/firmware'])), '');
  });

  it('--device HOST:CONTAINER makes the node and allows it in the device cgroup', async () => {
    const out = ok(
      await polisRun([
        '--device',
        '/dev/null:/dev/mynull',
        'busybox',
        'sh',
        '-c',
        'echo hi > /dev/mynull && ls -l /dev/mynull',
      ]),
    );
    assert.match(out, /^c.* 1,\s+3 .*\/dev\/mynull$/);
    const res = await polisRun(['--device', '/dev/nonexistent', 'busybox', 'true']);
    assert.match(failed(res, 'a missing device'), /error gathering device information.*\/dev\/nonexistent/);
    // Read access only (fuse is in no default rule, unlike null): the device cgroup refuses the open
    // for writing, which rw allows.
    const ro = await polisRun([
      '--device',
      '/dev/fuse:/dev/rofuse:r',
      'busybox',
      'sh',
      '-c',
      ': > /dev/rofuse',
    ]);
    assert.match(failed(ro, 'writing a read-only device'), /Operation not permitted/);
    ok(await polisRun(['--device', '/dev/fuse:/dev/rwfuse:rw', 'busybox', 'sh', '-c', ': > /dev/rwfuse']));
  });

  it('--sysctl sets namespaced keys and refuses the host kernel ones', async () => {
    const out = ok(
      await polisRun([
        '--sysctl',
        'kernel.domainname=polis.test',
        '--sysctl',
        'net.ipv4.ip_forward=1',
        'busybox',
        'cat',
        '/proc/sys/kernel/domainname',
        '/proc/sys/net/ipv4/ip_forward',
      ]),
    );
    assert.deepEqual(out.split('\n'), ['polis.test', '1']);
    const refused = failed(
      await polisRun(['--sysctl', 'vm.swappiness=1', 'busybox', 'true']),
      'vm.swappiness',
    );
    assert.match(refused, /sysctl "vm.swappiness" is not in a separate kernel namespace/);
    const res = await postJson(d.socket, '/v1.41/containers/create', {
      Image: 'busybox',
      HostConfig: { Sysctls: { 'vm.swappiness': '1' } },
    });
    assert.equal(res.status, 400, res.text);
    const hostNet = await polisRun([
      '--network',
      'host',
      '--sysctl',
      'net.ipv4.ip_forward=1',
      'busybox',
      'true',
    ]);
    assert.match(failed(hostNet, 'net.* on the host network'), /not allowed in host network namespace/);
  });

  it('--group-add, --ipc none, --uts host and --userns host', async () => {
    const groups = ok(await polisRun(['--group-add', '1234', 'busybox', 'id', '-G']));
    assert.ok(groups.split(' ').includes('1234'), groups);
    const shm = ok(
      await polisRun(['--ipc', 'none', 'busybox', 'sh', '-c', 'grep -c " /dev/shm " /proc/mounts || true']),
    );
    assert.equal(shm, '0');
    assert.equal(ok(await polisRun(['--uts', 'host', 'busybox', 'hostname'])), hostname());
    ok(await polisRun(['--userns', 'host', 'busybox', 'true']));
    assert.match(
      failed(await polisRun(['--pid', 'bogus', 'busybox', 'true']), '--pid bogus'),
      /invalid PID mode: bogus/,
    );
    assert.match(
      failed(await polisRun(['--uts', 'host', '-h', 'named', 'busybox', 'true']), '--uts host -h'),
      /conflicting options: hostname and the UTS mode/,
    );
  });

  it("--pid and --ipc container:X join a running donor's namespaces; the IPC donor must be shareable", async () => {
    ok(await d.polis(['run', '-d', '--name', 'donor', '--ipc', 'shareable', 'busybox', 'sleep', '300']));
    ok(await d.polis(['run', '-d', '--name', 'private-ipc', 'busybox', 'sleep', '300']));
    try {
      ok(await d.polis(['exec', 'donor', 'touch', '/dev/mqueue/polisq']));
      const out = ok(
        await polisRun([
          '--pid',
          'container:donor',
          '--ipc',
          'container:donor',
          'busybox',
          'sh',
          '-c',
          'ps; ls /dev/mqueue',
        ]),
      );
      assert.match(out, /sleep 300/);
      // The donor's POSIX message queue: the IPC namespace is shared.
      assert.match(out, /^polisq$/m);
      assert.equal(
        ok(await polisRun(['busybox', 'ls', '/dev/mqueue'])),
        '',
        'a private IPC namespace has none',
      );
      const ipc = ok(
        await polisRun(['--ipc', 'container:donor', 'busybox', 'readlink', '/proc/self/ns/ipc']),
      );
      const donorIpc = ok(await d.polis(['exec', 'donor', 'readlink', '/proc/self/ns/ipc']));
      assert.equal(ipc, donorIpc);
      const refused = failed(
        await polisRun(['--ipc', 'container:private-ipc', 'busybox', 'true']),
        'private donor',
      );
      assert.match(refused, /non-shareable IPC/);
      assert.match(
        failed(await polisRun(['--pid', 'container:nobody-here', 'busybox', 'true']), 'missing'),
        /No such container/,
      );
    } finally {
      await d.polis(['rm', '-f', 'donor', 'private-ipc']);
    }
  });

  it('--security-opt apparmor=/label= are refused without the module; unconfined and disable are no-ops', async () => {
    ok(
      await polisRun([
        '--security-opt',
        'apparmor=unconfined',
        '--security-opt',
        'label=disable',
        'busybox',
        'true',
      ]),
    );
    const aa = failed(
      await polisRun(['--security-opt', 'apparmor=docker-default', 'busybox', 'true']),
      'apparmor',
    );
    assert.match(aa, /AppArmor is not enabled on this host/);
    const label = failed(
      await d.docker(['run', '--rm', '--security-opt', 'label=type:svirt_t', 'busybox', 'true']),
      'label',
    );
    assert.match(label, /SELinux is not enabled on this host/);
  });

  it('docker inspect echoes the security fields of HostConfig', async () => {
    const id = ok(
      await d.docker([
        'create',
        '--cap-add',
        'NET_ADMIN',
        '--device',
        '/dev/null:/dev/mynull:rw',
        '--group-add',
        '1234',
        '--pid',
        'host',
        '--ipc',
        'shareable',
        '--uts',
        'host',
        '--read-only',
        '--security-opt',
        'no-new-privileges',
        '--sysctl',
        'net.ipv4.ip_forward=1',
        'busybox',
        'true',
      ]),
    );
    try {
      const out = ok(
        await d.docker([
          'inspect',
          '-f',
          '{{.HostConfig.CapAdd}}|{{json .HostConfig.Devices}}|{{.HostConfig.GroupAdd}}|{{.HostConfig.PidMode}}|{{.HostConfig.IpcMode}}|{{.HostConfig.UTSMode}}|{{.HostConfig.ReadonlyRootfs}}|{{.HostConfig.SecurityOpt}}|{{.HostConfig.Sysctls}}',
          id,
        ]),
      );
      assert.equal(
        out,
        '[CAP_NET_ADMIN]|[{"PathOnHost":"/dev/null","PathInContainer":"/dev/mynull","CgroupPermissions":"rw"}]|[1234]|host|shareable|host|true|[no-new-privileges]|map[net.ipv4.ip_forward:1]',
      );
    } finally {
      await d.docker(['rm', '-f', id]);
    }
  });

  describe('the security report', () => {
    const report = async (ref: string): Promise<Report> =>
      JSON.parse(ok(await d.polis(['inspect', '--security', ref]), 'inspect --security'))[0] as Report;

    it('reads what the flags set from the kernel', async () => {
      const id = ok(
        await d.polis([
          'run',
          '-d',
          '--cap-drop',
          'ALL',
          '--cap-add',
          'NET_BIND_SERVICE',
          '--security-opt',
          'no-new-privileges',
          '--pid',
          'host',
          '--read-only',
          '-m',
          '64m',
          '--pids-limit',
          '20',
          '--cpus',
          '0.5',
          'busybox',
          'sleep',
          '300',
        ]),
      );
      try {
        const r = await report(id);
        assert.deepEqual(r.capabilities.effective, ['CAP_NET_BIND_SERVICE']);
        assert.deepEqual(r.capabilities.bounding, ['CAP_NET_BIND_SERVICE']);
        assert.equal(r.noNewPrivileges, true);
        assert.equal(r.namespaces.pid, 'host');
        assert.equal(r.namespaces.mnt, 'private');
        assert.equal(r.namespaces.uts, 'private');
        assert.equal(r.readonlyRootfs, true);
        assert.equal(r.privileged, false);
        assert.equal(r.seccomp.mode, 2);
        const config = JSON.parse(await readFile(join(d.execRoot, 'containers', id, 'config.json'), 'utf8'));
        const digest = createHash('sha256').update(JSON.stringify(config.linux.seccomp)).digest('hex');
        assert.equal(r.seccomp.profileDigest, `sha256:${digest}`);
        const kcore = existsSync('/proc/kcore') ? 'masked' : 'absent';
        assert.equal(r.maskedPaths.find((m) => m.path === '/proc/kcore')?.state, kcore);
        assert.equal(r.maskedPaths.find((m) => m.path === '/proc/timer_list')?.state, 'masked');
        assert.equal(r.maskedPaths.find((m) => m.path === '/sys/firmware')?.state, 'masked');
        assert.ok(
          r.maskedPaths.every((m) => m.state !== 'visible'),
          JSON.stringify(r.maskedPaths),
        );
        assert.equal(r.limits.memoryLimit, 64 * 1024 * 1024);
        assert.equal(r.limits.pidsMax, 20);
        assert.equal(r.limits.cpuQuota, 50000);
        assert.equal(r.limits.cpuPeriod, 100000);
        assert.deepEqual(r.uidMap, [{ containerId: 0, hostId: 0, size: 4294967295 }]);
      } finally {
        await d.polis(['rm', '-f', id]);
      }
    });

    it('a default and a privileged container, and 409 for a stopped one', async () => {
      const plain = ok(await d.polis(['run', '-d', 'busybox', 'sleep', '300']));
      const priv = ok(await d.polis(['run', '-d', '--privileged', 'busybox', 'sleep', '300']));
      try {
        const r = await report(plain);
        assert.equal(r.readonlyRootfs, false);
        assert.equal(r.namespaces.pid, 'private');
        assert.equal(r.noNewPrivileges, false);
        assert.equal(r.privileged, false);
        assert.ok(r.capabilities.effective.includes('CAP_CHOWN'));
        assert.ok(!r.capabilities.effective.includes('CAP_SYS_ADMIN'));
        assert.equal(r.limits.memoryLimit, null);
        const p = await report(priv);
        assert.equal(p.privileged, true);
        assert.equal(p.seccomp.mode, 0);
        assert.equal(p.seccomp.profileDigest, null);
        assert.ok(p.capabilities.effective.includes('CAP_SYS_ADMIN'));
        assert.deepEqual(p.maskedPaths, []);
      } finally {
        await d.polis(['rm', '-f', plain, priv]);
      }
      const stopped = ok(await d.polis(['create', 'busybox', 'true']));
      try {
        const res = await rawRequest(d.socket, 'GET', `/v1.41/polis/v1/containers/${stopped}/security`);
        assert.equal(res.status, 409, res.text);
        assert.match(failed(await d.polis(['inspect', '--security', stopped]), 'stopped'), /is not running/);
      } finally {
        await d.polis(['rm', '-f', stopped]);
      }
    });
  });
});
