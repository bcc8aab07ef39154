import { copyFile, mkdir, mkdtemp, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proc } from '@polis/core';

export interface BusyboxRootfsOptions {
  /** The static busybox to pack (Debian's busybox-static installs `/bin/busybox`). */
  busybox?: string;
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnobody:x:65534:\n';

/**
 * Writes a small busybox rootfs tarball to `outPath`: bin/busybox with a symlink per applet in /bin,
 * /etc/passwd and /etc/group (root, nobody 65534), empty /etc/hosts, /etc/hostname, /etc/resolv.conf
 * for the runtime to bind over, /tmp (1777), /root, /proc, /sys, /dev. Owned by root, names sorted
 * and mtimes fixed, so the same busybox always gives the same layer.
 */
export async function busyboxRootfsTar(outPath: string, options: BusyboxRootfsOptions = {}): Promise<string> {
  const busybox = options.busybox ?? '/bin/busybox';
  const { stdout } = await proc.run(busybox, ['--list']);
  const applets = stdout
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => /^[A-Za-z0-9_.[-]+$/.test(s) && s !== 'busybox');
  const root = await mkdtemp(join(tmpdir(), 'polis-busybox-'));
  try {
    for (const dir of ['bin', 'etc', 'root', 'proc', 'sys', 'dev', 'tmp', 'var', 'home', 'usr/bin']) {
      await mkdir(join(root, dir), { recursive: true, mode: 0o755 });
    }
    // mkdtemp made the root 0700; as the image's `/` that would lock every non-root user out.
    await chmod(root, 0o755);
    await chmod(join(root, 'tmp'), 0o1777);
    await chmod(join(root, 'root'), 0o700);
    await copyFile(busybox, join(root, 'bin/busybox'));
    await chmod(join(root, 'bin/busybox'), 0o755);
    for (const applet of applets) await symlink('busybox', join(root, 'bin', applet));
    await writeFile(join(root, 'etc/passwd'), PASSWD, { mode: 0o644 });
    await writeFile(join(root, 'etc/group'), GROUP, { mode: 0o644 });
    for (const empty of ['hosts', 'hostname', 'resolv.conf']) await writeFile(join(root, 'etc', empty), '');
    const mtime = Math.floor((await stat(busybox)).mtimeMs / 1000);
    await proc.run('tar', [
      '-c',
      '--sort=name',
      '--numeric-owner',
      '--owner=0',
      '--group=0',
      `--mtime=@${mtime}`,
      '-f',
      outPath,
      '-C',
      root,
      '.',
    ]);
    return outPath;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
