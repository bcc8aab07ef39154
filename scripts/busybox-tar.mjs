#!/usr/bin/env node
// Writes a busybox rootfs tarball (from Debian's busybox-static) to the given path, for `polis import`.
import { busyboxRootfsTar } from '../packages/image/dist/index.js';

const out = process.argv[2];
if (!out) {
  console.error('usage: busybox-tar.mjs OUT.tar');
  process.exit(2);
}
await busyboxRootfsTar(out);
console.log(`busybox rootfs written to ${out}`);
