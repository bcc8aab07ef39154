/** Row contexts of `polis volume ls`, as docker's volumeContext. */
import type { Volume } from '@polis/sdk/engine';
import { rowJson } from './render.js';
import { humanSize } from './units.js';
import { STRICT } from './values.js';

export const DEFAULT_VOLUME_FORMAT = 'table {{.Driver}}\t{{.Name}}';

export const VOLUME_HEADER: Record<string, string> = {
  Name: 'VOLUME NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  'Label()': 'LABEL',
  Links: 'LINKS',
  Size: 'SIZE',
};

export function volumeRow(v: Volume): object {
  const labels = v.Labels ?? {};
  const row = {
    [STRICT]: true,
    Name: v.Name,
    Driver: v.Driver,
    Scope: v.Scope,
    Mountpoint: v.Mountpoint,
    Labels: Object.entries(labels)
      .map(([k, val]) => `${k}=${val}`)
      .join(','),
    Label: (name: unknown) => labels[String(name)] ?? '',
    // Only `system df -v` knows these; docker prints N/A in a plain list.
    Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
    Size: v.UsageData ? humanSize(v.UsageData.Size, 4) : 'N/A',
  };
  Object.defineProperty(row, 'toJSON', { value: () => rowJson(row) });
  return row;
}
