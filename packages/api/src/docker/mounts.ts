import { posix } from 'node:path';
import type { BindMount, StorageSpec, TmpfsMount, VolumeMount } from '@polis/core';
import { tmpfsOptions } from '@polis/security';
import { checkVolumeName } from '@polis/storage';
import { invalid } from '../http/errors.js';
import type { Fields } from './fields.js';
import { mountEcho } from './mount-echo.js';
import { parseMount, type ParsedMounts } from './mount-spec.js';

export const PROPAGATION = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

/** Nothing may be mounted over the container's root (crun would refuse it only at start). */
export function isRoot(destination: string): boolean {
  return posix.normalize(destination) === '/';
}

export const ROOT_DESTINATION = (type: string): string =>
  `invalid mount config for type ${JSON.stringify(type)}: invalid specification: destination can't be '/'`;

/** Docker's words for a mount point that is not absolute. */
export const RELATIVE_DESTINATION = (type: string, path: string): string =>
  `invalid mount config for type ${JSON.stringify(type)}: invalid mount path: '${path}' mount path must be absolute`;

/**
 * One `-v` entry as the docker CLI sends it in HostConfig.Binds: `/host:/ctr[:ro,rshared]` (a bind,
 * whose missing source is created as Docker does), `name:/ctr[:ro,nocopy]` (a named volume, created if
 * missing) or `/ctr` (an anonymous volume).
 */
export function parseBind(bind: string, into: ParsedMounts): void {
  const parts = bind.split(':');
  if (parts.length > 3 || parts.some((p) => p === ''))
    throw invalid(`invalid volume specification: '${bind}'`);
  if (parts.length === 1) {
    into.volumes.push(volumeMount('', checkedDestination(bind, parts[0] as string, 'volume'), ''));
    return;
  }
  const [source, destination, mode = ''] = parts as [string, string, string?];
  const type = source.startsWith('/') ? 'bind' : 'volume';
  checkedDestination(bind, destination, type);
  if (type === 'volume') {
    checkVolumeName(source);
    into.volumes.push(volumeMount(source, destination, mode, bind));
    return;
  }
  const mount: BindMount = { source, destination, readonly: false, createSource: true };
  for (const opt of modes(mode)) {
    if (opt === 'ro' || opt === 'rw') mount.readonly = opt === 'ro';
    else if (PROPAGATION.includes(opt)) mount.propagation = opt;
    // SELinux relabelling and the volume-only nocopy have no effect on a plain bind here.
    else if (opt !== 'z' && opt !== 'Z' && opt !== 'nocopy') throw badMode(opt, bind);
  }
  into.binds.push(mount);
}

const modes = (mode: string): string[] => mode.split(',').filter(Boolean);
const badMode = (opt: string, spec: string): Error =>
  invalid(`invalid mode: ${opt} in volume specification '${spec}'`);

function checkedDestination(spec: string, destination: string, type: string): string {
  if (!destination.startsWith('/'))
    throw invalid(`invalid volume specification: '${spec}': ${RELATIVE_DESTINATION(type, destination)}`);
  if (isRoot(destination))
    throw invalid(`invalid volume specification: '${spec}': ${ROOT_DESTINATION(type)}`);
  return destination;
}

function volumeMount(name: string, destination: string, mode: string, spec = destination): VolumeMount {
  const mount: VolumeMount = { name, destination, readonly: false, nocopy: false, anonymous: name === '' };
  for (const opt of modes(mode)) {
    if (opt === 'ro' || opt === 'rw') mount.readonly = opt === 'ro';
    else if (opt === 'nocopy') mount.nocopy = true;
    else if (opt !== 'z' && opt !== 'Z') throw badMode(opt, spec);
  }
  return mount;
}

/**
 * HostConfig's Binds, Mounts, Tmpfs, VolumesFrom, VolumeDriver and ReadonlyRootfs, plus Config.Volumes
 * (anonymous volumes, skipped where another mount already covers the path, as Docker does), checked
 * for clashing mount points.
 */
export function storageFrom(host: Fields, config: Fields): StorageSpec {
  const into: ParsedMounts = { binds: [], tmpfs: [], volumes: [] };
  const binds = host.strings('Binds');
  for (const b of binds) parseBind(b, into);
  const tmpfs: TmpfsMount[] = Object.entries(host.stringMap('Tmpfs')).map(([destination, opts]) => {
    if (!destination.startsWith('/'))
      throw invalid(`invalid tmpfs mount point: ${destination} must be absolute`);
    if (isRoot(destination)) throw invalid(ROOT_DESTINATION('tmpfs'));
    return { destination, options: opts.split(',').filter(Boolean) };
  });
  into.tmpfs.push(...tmpfs);
  const mounts = host.list('Mounts');
  for (const m of mounts) parseMount(m, into);
  // Kept as the user wrote them (inspect shows them so); checked now so a bad option fails the create.
  for (const t of into.tmpfs) tmpfsOptions(t.options);
  const seen = new Set<string>();
  const clean = (d: string): string => posix.normalize(d).replace(/\/+$/, '') || '/';
  for (const destination of [...into.binds, ...into.tmpfs, ...into.volumes].map((m) =>
    clean(m.destination),
  )) {
    if (seen.has(destination)) throw invalid(`Duplicate mount point: ${destination}`);
    seen.add(destination);
  }
  for (const destination of config.keys('Volumes')) {
    if (seen.has(clean(destination))) continue;
    checkedDestination(destination, destination, 'volume');
    seen.add(clean(destination));
    into.volumes.push(volumeMount('', destination, ''));
  }
  const driver = host.str('VolumeDriver');
  if (driver) for (const v of into.volumes) v.driver ??= driver;
  const volumesFrom = host.strings('VolumesFrom');
  return {
    binds: into.binds,
    tmpfs: into.tmpfs,
    readonlyRootfs: host.bool('ReadonlyRootfs'),
    ...(into.volumes.length > 0 ? { volumes: into.volumes } : {}),
    ...(volumesFrom.length > 0 ? { volumesFrom } : {}),
    ...(binds.length > 0 ? { givenBinds: binds } : {}),
    ...(mounts.length > 0 ? { givenMounts: (host.raw('Mounts') as unknown[]).map(mountEcho) } : {}),
  };
}
