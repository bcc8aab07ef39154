import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, lchownSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './run.js';

async function must(command: string, args: string[]): Promise<void> {
  const res = await runCommand(command, args);
  if (res.code !== 0) throw new Error(`${command} ${args.join(' ')}: ${res.stderr}`);
}

const OWNERS: Array<[number, number]> = [
  [0, 0],
  [1000, 1000],
  [65534, 65534],
  [12345, 54321],
];
const MODES = [0o644, 0o600, 0o755, 0o400, 0o640, 0o4755, 0o2750, 0o1777];

/**
 * Fills `root` (as root) with `files` regular files in ten directories, of different sizes, owners,
 * modes and mtimes (to the microsecond), plus symlinks (relative, absolute, dangling, to a directory),
 * hard-link groups, a FIFO, a long and a non-ASCII name, xattrs in user.* and trusted.*, and POSIX ACLs.
 */
/** The xattr values of `setfacl -m u:1234:rw- FILE` and `setfacl -d -m u:1234:r-x DIR` (version 2, LE entries). */
const ACCESS_ACL =
  '0x0200000001000600ffffffff02000600d204000004000400ffffffff10000600ffffffff20000400ffffffff';
const DEFAULT_ACL =
  '0x0200000001000700ffffffff02000500d204000004000500ffffffff10000700ffffffff20000500ffffffff';

export async function fillTree(root: string, files = 1000): Promise<void> {
  const dirs = Array.from({ length: 10 }, (_, i) => join(root, `d${i}`));
  for (const d of dirs) mkdirSync(d);
  for (let i = 0; i < files; i++) {
    const path = join(dirs[i % dirs.length] as string, `f${i}.dat`);
    // Mostly small, some empty, a few of a few hundred KiB; half compressible text, half random.
    const size = i % 50 === 0 ? 0 : i % 97 === 0 ? 300_000 + i : (i * 7919) % 9000;
    const data =
      i % 2 === 0 ? Buffer.from(`line ${i} `.repeat(size / 8 + 1)).subarray(0, size) : randomBytes(size);
    writeFileSync(path, data);
    const [uid, gid] = OWNERS[i % OWNERS.length] as [number, number];
    lchownSync(path, uid, gid);
    chmodSync(path, MODES[i % MODES.length] as number);
    const t = 1_600_000_000 + i * 3600 + (i % 1000) / 1000 + 0.000123;
    utimesSync(path, t, t);
  }
  writeFileSync(join(root, 'x'.repeat(150) + '.long'), 'a long name\n');
  writeFileSync(join(root, 'späte grüße ✓.txt'), 'non-ASCII\n');
  for (let g = 0; g < 10; g++) {
    const source = join(dirs[g] as string, `f${g}.dat`);
    linkSync(source, join(root, `hard${g}-a`));
    if (g % 2 === 0) linkSync(source, join(dirs[(g + 3) % 10] as string, `hard${g}-b`));
  }
  symlinkSync('d0/f0.dat', join(root, 'rel-link'));
  symlinkSync('/etc/passwd', join(root, 'abs-link'));
  symlinkSync('nowhere/at/all', join(root, 'dangling'));
  symlinkSync('d1', join(root, 'dir-link'));
  symlinkSync('../d2/f2.dat', join(dirs[3] as string, 'up-link'));
  lchownSync(join(root, 'rel-link'), 1000, 1000);
  await must('mkfifo', ['-m', '0620', join(root, 'pipe')]);
  lchownSync(join(root, 'pipe'), 12345, 54321);
  const empty = join(root, 'empty');
  mkdirSync(empty, { mode: 0o700 });
  lchownSync(empty, 1000, 1000);
  for (let i = 0; i < 20; i++) {
    const path = join(dirs[i % 10] as string, `f${i}.dat`);
    await must('setfattr', ['-n', `user.note${i}`, '-v', `value ${i}`, path]);
    if (i % 5 === 0)
      await must('setfattr', ['-n', 'user.bin', '-v', `0x00ff${i.toString(16).padStart(2, '0')}`, path]);
  }
  await must('setfattr', ['-n', 'trusted.polis', '-v', 'kept', join(root, 'd5')]);
  // POSIX ACLs, as setfacl stores them: `u:1234:rw-` on a file, a default `u:1234:r-x` on a directory.
  await must('setfattr', [
    '-n',
    'system.posix_acl_access',
    '-v',
    ACCESS_ACL,
    join(dirs[4] as string, 'f4.dat'),
  ]);
  await must('setfattr', ['-n', 'system.posix_acl_default', '-v', DEFAULT_ACL, dirs[6] as string]);
  await must('setfattr', ['-n', 'user.dir', '-v', 'on a dir', empty]);
  chmodSync(dirs[7] as string, 0o750);
  lchownSync(dirs[7] as string, 65534, 65534);
  for (const d of dirs) utimesSync(d, 1_650_000_000.5, 1_650_000_000.25);
  utimesSync(root, 1_700_000_000, 1_700_000_000.75);
}
