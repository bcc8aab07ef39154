import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { busyboxRootfsTar } from '@polis/image';

let cached: Promise<string> | undefined;

/** A busybox rootfs tarball from Debian's busybox-static, built once per test process. */
export function busyboxTar(): Promise<string> {
  cached ??= (async () => {
    const path = join(tmpdir(), `polis-test-busybox-${process.pid}.tar`);
    if (!existsSync(path)) await busyboxRootfsTar(path);
    process.once('exit', () => rmSync(path, { force: true }));
    return path;
  })();
  return cached;
}
