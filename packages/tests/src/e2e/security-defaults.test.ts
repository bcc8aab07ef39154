import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';

/** Docker's 14 default capabilities as the kernel shows them. */
const DOCKER_DEFAULT_CAPS = '00000000a80425fb';

/** Withheld on this machine (DESIGN §7). */
const CAP_SYS_RESOURCE = 24n;

/** Masked files in Docker's default list that this kernel has (others are skipped, not faked). */
const MASKED_FILES = [
  '/proc/kcore',
  '/proc/keys',
  '/proc/timer_list',
  '/proc/sched_debug',
  '/proc/latency_stats',
];
const MASKED_DIRS = ['/proc/acpi', '/sys/firmware', '/proc/scsi'];

function status(text: string, key: string): string | undefined {
  return new RegExp(`^${key}:\\t(.*)$`, 'm').exec(text)?.[1];
}

describe('security defaults of a container', () => {
  let d: TestDaemon;
  const run = async (args: string[], script: string): Promise<string> =>
    ok(await d.polis(['run', '--rm', ...args, 'busybox', 'sh', '-c', script]), script);

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it("has Docker's default capabilities and a seccomp filter", async () => {
    const out = await run([], 'cat /proc/self/status');
    assert.equal(status(out, 'CapEff'), DOCKER_DEFAULT_CAPS);
    assert.equal(status(out, 'CapPrm'), DOCKER_DEFAULT_CAPS);
    assert.equal(status(out, 'CapBnd'), DOCKER_DEFAULT_CAPS);
    assert.equal(status(out, 'CapInh'), '0000000000000000');
    assert.equal(status(out, 'CapAmb'), '0000000000000000');
    assert.equal(status(out, 'Seccomp'), '2');
  });

  it('a non-root user has no effective capabilities', async () => {
    const out = await run(['-u', 'nobody'], 'cat /proc/self/status');
    assert.equal(status(out, 'CapEff'), '0000000000000000');
    assert.equal(status(out, 'CapBnd'), DOCKER_DEFAULT_CAPS);
  });

  it("the seccomp profile refuses unshare as Docker's does; seccomp=unconfined allows it", async () => {
    const res = await d.polis(['run', '--rm', 'busybox', 'unshare', '-U', 'true']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /Operation not permitted/);
    const free = await run(
      ['--security-opt', 'seccomp=unconfined'],
      'unshare -U true && grep ^Seccomp: /proc/self/status',
    );
    assert.equal(free, 'Seccomp:\t0');
  });

  it('without CAP_SYS_ADMIN, mount is refused', async () => {
    const res = await d.polis([
      'run',
      '--rm',
      'busybox',
      'sh',
      '-c',
      'mount -t tmpfs none /mnt && echo mounted',
    ]);
    assert.notEqual(res.code, 0);
    assert.doesNotMatch(res.stdout, /mounted/);
  });

  it('masked paths read empty and /proc/sys is read-only', async () => {
    const files = MASKED_FILES.filter((p) => existsSync(p));
    const dirs = MASKED_DIRS.filter((p) => existsSync(p));
    assert.ok(files.length > 0, 'at least one masked file exists on this kernel');
    const script = [
      ...files.map((f) => `echo "${f} $(cat ${f} | wc -c)"`),
      ...dirs.map((f) => `echo "${f} $(ls -A ${f} | wc -l)"`),
      'echo 1 > /proc/sys/kernel/domainname && echo sys-writable || echo sys-readonly',
      'echo x > /proc/sysrq-trigger && echo sysrq-writable || echo sysrq-readonly',
    ].join('; ');
    const out = lines(await run([], script));
    for (const f of [...files, ...dirs])
      assert.ok(out.includes(`${f} 0`), `${f} is empty: ${out.join(' | ')}`);
    assert.ok(out.includes('sys-readonly'), out.join(' | '));
    assert.ok(out.includes('sysrq-readonly'), out.join(' | '));
  });

  it('--cap-drop ALL leaves no capability', async () => {
    const out = await run(['--cap-drop', 'ALL'], 'cat /proc/self/status');
    assert.equal(status(out, 'CapEff'), '0000000000000000');
    assert.equal(status(out, 'CapBnd'), '0000000000000000');
  });

  it('--cap-add adds to the defaults', async () => {
    const out = await run(['--cap-add', 'NET_ADMIN'], 'cat /proc/self/status');
    // CAP_NET_ADMIN is bit 12
    assert.equal(status(out, 'CapEff'), (0xa80425fbn | (1n << 12n)).toString(16).padStart(16, '0'));
  });

  it('--privileged runs without seccomp and without masked paths', async () => {
    const res = await d.polis([
      'run',
      '--rm',
      '--privileged',
      'busybox',
      'sh',
      '-c',
      'grep -E "^Seccomp:" /proc/self/status; echo 1 > /proc/sys/kernel/domainname && echo sys-writable',
    ]);
    assert.equal(res.code, 0, `run --privileged: ${res.stderr}`);
    assert.deepEqual(lines(res.stdout), ['Seccomp:\t0', 'sys-writable']);
  });

  it('a capability the host withholds is refused as such, not as an exec failure (exit 125)', async (t) => {
    const bounding = BigInt('0x' + status(readFileSync('/proc/self/status', 'utf8'), 'CapBnd'));
    if (bounding & (1n << CAP_SYS_RESOURCE)) return t.skip('this host grants CAP_SYS_RESOURCE');
    const res = await d.polis(['run', '--rm', '--cap-add', 'SYS_RESOURCE', 'busybox', 'true']);
    assert.equal(res.code, 125, res.stderr);
    assert.match(res.stderr, /capset|caps/i);
    assert.doesNotMatch(res.stderr, /exec: "true": permission denied/);
    assert.equal(ok(await d.polis(['ps', '-a', '-q'])), '');
  });

  it('the API socket has mode 0660', async () => {
    const st = await stat(d.socket);
    assert.ok(st.isSocket());
    assert.equal((st.mode & 0o777).toString(8), '660');
  });

  it('the hostname is the short id and /etc/hosts has localhost', async () => {
    const out = lines(
      ok(await d.polis(['run', '--name', 'whoami', 'busybox', 'sh', '-c', 'hostname; cat /etc/hosts'])),
    );
    const id = ok(await d.polis(['inspect', '-f', '{{.Id}}', 'whoami']));
    ok(await d.polis(['rm', 'whoami']));
    assert.equal(out[0], id.slice(0, 12));
    assert.ok(
      out.some((l) => /^127\.0\.0\.1\s+localhost\b/.test(l)),
      out.join('\n'),
    );
    assert.ok(
      out.some((l) => /^::1\s+localhost\b/.test(l)),
      out.join('\n'),
    );
  });

  it('a network namespace of its own: lo and eth0 on the default bridge, only lo with --network none', async () => {
    const out = lines(await run([], 'cat /proc/net/dev'));
    const ifaces = out.slice(2).map((l) => l.split(':')[0]!.trim());
    assert.deepEqual(ifaces.sort(), ['eth0', 'lo']);
    const none = ok(
      await d.polis(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net']),
    );
    assert.equal(none, 'lo');
  });
});
