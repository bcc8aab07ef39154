import type { BindMount, TmpfsMount, VolumeMount } from '@polis/core';
import { checkVolumeName } from '@polis/storage';
import { invalid } from '../http/errors.js';
import type { Fields } from './fields.js';
import { PROPAGATION, RELATIVE_DESTINATION, ROOT_DESTINATION, isRoot } from './mounts.js';

export interface ParsedMounts {
  binds: BindMount[];
  tmpfs: TmpfsMount[];
  volumes: VolumeMount[];
}

const config = (type: string, what: string): Error =>
  invalid(`invalid mount config for type ${JSON.stringify(type)}: ${what}`);

/** One HostConfig.Mounts entry (`--mount type=bind|volume|tmpfs,...`), in Docker's words when wrong. */
export function parseMount(m: Fields, into: ParsedMounts): void {
  const type = m.str('Type') ?? '';
  if (!['bind', 'volume', 'tmpfs'].includes(type))
    throw invalid(`invalid mount config: mount type unknown: ${JSON.stringify(type)}`);
  const target = m.str('Target') ?? '';
  if (!target) throw config(type, 'field Target must not be empty');
  if (!target.startsWith('/')) throw invalid(RELATIVE_DESTINATION(type, target));
  if (isRoot(target)) throw invalid(ROOT_DESTINATION(type));
  const source = m.str('Source') ?? '';
  if (type !== 'volume' && m.raw('VolumeOptions') != null)
    throw config(type, 'field VolumeOptions must not be specified');
  if (type !== 'bind' && m.raw('BindOptions') != null)
    throw config(type, 'field BindOptions must not be specified');
  if (type !== 'tmpfs' && m.raw('TmpfsOptions') != null)
    throw config(type, 'field TmpfsOptions must not be specified');
  if (type === 'bind') {
    if (!source) throw config(type, 'field Source must not be empty');
    if (!source.startsWith('/'))
      throw config(type, `invalid mount path: '${source}' mount path must be absolute`);
    const propagation = m.child('BindOptions').str('Propagation');
    if (propagation && !PROPAGATION.includes(propagation)) {
      throw invalid(`invalid mount config: unknown propagation mode ${propagation}`);
    }
    into.binds.push({
      source,
      destination: target,
      readonly: m.bool('ReadOnly'),
      ...(propagation ? { propagation } : {}),
    });
  } else if (type === 'tmpfs') {
    if (source) throw config(type, 'field Source must not be specified');
    const opts = m.child('TmpfsOptions');
    const options: string[] = [];
    if (m.bool('ReadOnly')) options.push('ro');
    const size = opts.int('SizeBytes');
    if (size !== undefined && size < 0)
      throw invalid('invalid mount config: tmpfs size must not be negative');
    if (size) options.push(`size=${size}`);
    const mode = opts.int('Mode');
    if (mode) options.push(`mode=${mode.toString(8)}`);
    into.tmpfs.push({ destination: target, options });
  } else {
    if (source) checkVolumeName(source);
    const opts = m.child('VolumeOptions');
    const driver = opts.child('DriverConfig');
    const driverName = driver.str('Name');
    const driverOptions = driver.stringMap('Options');
    const labels = opts.stringMap('Labels');
    into.volumes.push({
      name: source,
      destination: target,
      readonly: m.bool('ReadOnly'),
      nocopy: opts.bool('NoCopy'),
      anonymous: source === '',
      ...(driverName ? { driver: driverName } : {}),
      ...(Object.keys(driverOptions).length > 0 ? { driverOptions } : {}),
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
    });
  }
}
