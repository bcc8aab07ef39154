import { posix } from 'node:path';
import type { BindMount, StorageSpec, TmpfsMount } from '@polis/core';
import { tmpfsOptions } from '@polis/security';
import { invalid } from '../http/errors.js';
import type { Fields } from './fields.js';

const PROPAGATION = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

/** Nothing may be mounted over the container's root (crun would refuse it only at start). */
function isRoot(destination: string): boolean {
  return posix.normalize(destination) === '/';
}

const ROOT_DESTINATION = (type: string): string =>
  `invalid mount config for type ${JSON.stringify(type)}: invalid specification: destination can't be '/'`;

/** `-v /host:/ctr[:ro,rshared,z]` as the docker CLI sends it in HostConfig.Binds. */
export function parseBind(bind: string): BindMount {
  const parts = bind.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) {
    throw invalid(`invalid volume specification: '${bind}'`);
  }
  const [source, destination, mode = ''] = parts as [string, string, string?];
  if (!source.startsWith('/')) {
    throw invalid(`invalid volume specification: '${bind}': named volumes are not supported yet`);
  }
  if (!destination.startsWith('/')) {
    throw invalid(`invalid volume specification: '${bind}': mount path must be absolute`);
  }
  if (isRoot(destination)) {
    throw invalid(`invalid volume specification: '${bind}': ${ROOT_DESTINATION('bind')}`);
  }
  const mount: BindMount = { source, destination, readonly: false };
  for (const opt of mode.split(',').filter(Boolean)) {
    if (opt === 'ro' || opt === 'rw') mount.readonly = opt === 'ro';
    else if (PROPAGATION.includes(opt)) mount.propagation = opt;
    // SELinux relabelling and the volume-only nocopy have no effect on a plain bind here.
    else if (opt !== 'z' && opt !== 'Z' && opt !== 'nocopy') {
      throw invalid(`invalid mode: ${opt} in volume specification '${bind}'`);
    }
  }
  return mount;
}

/** HostConfig.Mounts (`--mount`): bind and tmpfs; volumes arrive with the storage work. */
function parseMount(m: Fields, binds: BindMount[], tmpfs: TmpfsMount[]): void {
  const type = m.str('Type') ?? '';
  const target = m.str('Target') ?? '';
  if (!target.startsWith('/'))
    throw invalid(`invalid mount config: ${m.name('Target')} must be an absolute path`);
  if (isRoot(target)) throw invalid(ROOT_DESTINATION(type));
  if (type === 'bind') {
    const source = m.str('Source') ?? '';
    if (!source.startsWith('/'))
      throw invalid(`invalid mount config for type "bind": source must be an absolute path`);
    const propagation = m.child('BindOptions').str('Propagation');
    if (propagation && !PROPAGATION.includes(propagation)) {
      throw invalid(`invalid mount config: unknown propagation mode ${propagation}`);
    }
    binds.push({
      source,
      destination: target,
      readonly: m.bool('ReadOnly'),
      ...(propagation ? { propagation } : {}),
    });
  } else if (type === 'tmpfs') {
    const opts = m.child('TmpfsOptions');
    const options: string[] = [];
    if (m.bool('ReadOnly')) options.push('ro');
    const size = opts.int('SizeBytes');
    if (size !== undefined && size < 0)
      throw invalid('invalid mount config: tmpfs size must not be negative');
    if (size) options.push(`size=${size}`);
    const mode = opts.int('Mode');
    if (mode) options.push(`mode=${mode.toString(8)}`);
    tmpfs.push({ destination: target, options });
  } else if (type === 'volume') {
    throw invalid('invalid mount config: volume mounts are not supported yet');
  } else {
    throw invalid(`invalid mount config: mount type unknown: ${JSON.stringify(type)}`);
  }
}

/** HostConfig's Binds, Mounts, Tmpfs and ReadonlyRootfs, checked for clashing mount points. */
export function storageFrom(host: Fields, config: Fields): StorageSpec {
  if (config.keys('Volumes').length > 0) {
    throw invalid(`anonymous volumes are not supported yet: ${config.keys('Volumes').join(', ')}`);
  }
  const binds = host.strings('Binds').map(parseBind);
  const tmpfs: TmpfsMount[] = Object.entries(host.stringMap('Tmpfs')).map(([destination, opts]) => {
    if (!destination.startsWith('/'))
      throw invalid(`invalid tmpfs mount point: ${destination} must be absolute`);
    if (isRoot(destination)) throw invalid(ROOT_DESTINATION('tmpfs'));
    return { destination, options: opts.split(',').filter(Boolean) };
  });
  for (const m of host.list('Mounts')) parseMount(m, binds, tmpfs);
  // Kept as the user wrote them (inspect shows them so); checked now so a bad option fails the create.
  for (const t of tmpfs) tmpfsOptions(t.options);
  const seen = new Set<string>();
  for (const destination of [...binds, ...tmpfs].map((m) => m.destination.replace(/\/+$/, '') || '/')) {
    if (seen.has(destination)) throw invalid(`Duplicate mount point: ${destination}`);
    seen.add(destination);
  }
  return { binds, tmpfs, readonlyRootfs: host.bool('ReadonlyRootfs') };
}
