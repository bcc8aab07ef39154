import { localVolumeKind } from '../local-options.js';
import type { VolumeRecord } from '../types.js';
import { mountOptionsDriver } from './mount-options.js';
import { plainDriver } from './plain.js';
import { sizedDriver } from './sized.js';
import type { VolumeDriver } from './types.js';

/** The `local` driver's variant for a volume's options (checked as at create). */
export function localDriverFor(volume: Pick<VolumeRecord, 'name' | 'options'>): VolumeDriver {
  const kind = localVolumeKind(volume.name, volume.options);
  switch (kind.kind) {
    case 'plain':
      return plainDriver;
    case 'mount':
      return mountOptionsDriver(kind.mount);
    case 'sized':
      return sizedDriver(kind.bytes);
  }
}
