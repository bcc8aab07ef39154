import type { MountSpec } from '@polis/sdk/engine';
import { parseBytes } from '@polis/core/bytes';

/** Values docker's `--mount` reads as booleans; a key given alone means true. */
function boolValue(key: string, value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.toLowerCase();
  if (['true', '1'].includes(v)) return true;
  if (['false', '0'].includes(v)) return false;
  throw new Error(
    `invalid value for '${key}': invalid boolean value ${JSON.stringify(value)}: must be one of "true", "1", "false", or "0" (default "true")`,
  );
}

/** `k=v` inside a field value (`volume-opt=o=size=10m`, `volume-label=a=b`). */
function pair(value: string): [string, string] {
  const eq = value.indexOf('=');
  return eq < 0 ? [value, ''] : [value.slice(0, eq), value.slice(eq + 1)];
}

/**
 * `--mount type=volume,src=data,dst=/data,readonly` as the docker CLI turns it into a HostConfig.Mounts
 * entry (same keys, same defaults: type volume, a key alone for a boolean is true).
 */
export function parseMountFlag(text: string): MountSpec {
  const mount: MountSpec = { Type: 'volume', Target: '' };
  const volume = (): NonNullable<MountSpec['VolumeOptions']> => (mount.VolumeOptions ??= {});
  const bind = (): NonNullable<MountSpec['BindOptions']> => (mount.BindOptions ??= {});
  const tmpfs = (): NonNullable<MountSpec['TmpfsOptions']> => (mount.TmpfsOptions ??= {});
  for (const field of text.split(',').filter(Boolean)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    const need = (): string => {
      if (value === undefined) throw new Error(`invalid field '${field}' must be a key=value pair`);
      return value;
    };
    switch (key) {
      case 'type':
        mount.Type = need() as MountSpec['Type'];
        break;
      case 'source':
      case 'src':
        mount.Source = need();
        break;
      case 'target':
      case 'dst':
      case 'destination':
        mount.Target = need();
        break;
      case 'readonly':
      case 'ro':
        mount.ReadOnly = boolValue(key, value);
        break;
      case 'consistency':
        mount.Consistency = need();
        break;
      case 'bind-propagation':
        bind().Propagation = need();
        break;
      case 'bind-nonrecursive':
        bind().NonRecursive = boolValue(key, value);
        break;
      case 'volume-nocopy':
        volume().NoCopy = boolValue(key, value);
        break;
      case 'volume-label': {
        const [k, v] = pair(need());
        (volume().Labels ??= {})[k] = v;
        break;
      }
      case 'volume-driver':
        (volume().DriverConfig ??= {}).Name = need();
        break;
      case 'volume-opt': {
        const [k, v] = pair(need());
        ((volume().DriverConfig ??= {}).Options ??= {})[k] = v;
        break;
      }
      case 'tmpfs-size':
        tmpfs().SizeBytes = parseBytes(need());
        break;
      case 'tmpfs-mode': {
        const mode = Number.parseInt(need(), 8);
        if (Number.isNaN(mode)) throw new Error(`invalid value for ${key}: ${value}`);
        tmpfs().Mode = mode;
        break;
      }
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (mount.Target === '') throw new Error('target is required');
  return mount;
}
