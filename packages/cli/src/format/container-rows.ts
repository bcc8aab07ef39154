/** Row contexts of `polis ps`, field for field as docker's ContainerContext. */
import type { ContainerPort, ContainerSummary } from '@polis/sdk/engine';
import { familiarName, splitReference, truncateId } from './reference.js';
import { rowJson } from './render.js';
import { goTime } from './time.js';
import { humanSize, since } from './units.js';
import { STRICT } from './values.js';

export const DEFAULT_PS_FORMAT =
  'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

export const PS_HEADER: Record<string, string> = {
  ID: 'CONTAINER ID',
  Names: 'NAMES',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
  'Label()': 'LABEL',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
};

/** docker's `Ellipsis`: at most `max` characters, the last one `…` when cut. */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  return `${chars.slice(0, max - 1).join('')}…`;
}

export function containerRow(c: ContainerSummary, trunc: boolean, now = Date.now()): object {
  const labels = c.Labels ?? {};
  const names = c.Names.map((n) => n.replace(/^\//, ''));
  const row = {
    [STRICT]: true,
    ID: trunc ? truncateId(c.Id) : c.Id,
    Names: trunc ? (names.find((n) => !n.includes('/')) ?? '') : names.join(','),
    Image: imageColumn(c, trunc),
    Command: JSON.stringify(trunc ? ellipsis(c.Command, 20) : c.Command),
    CreatedAt: goTime(c.Created),
    RunningFor: since(c.Created, now),
    Ports: displayablePorts(c.Ports ?? []),
    State: c.State,
    Status: c.Status,
    Size: sizeColumn(c),
    Labels: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(','),
    Label: (name: unknown) => labels[String(name)] ?? '',
    Mounts: (c.Mounts ?? [])
      .map((m) => (trunc ? ellipsis(m.Name || m.Source || '', 15) : m.Name || m.Source || ''))
      .join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).join(','),
  };
  Object.defineProperty(row, 'toJSON', { value: () => rowJson(row) });
  return row;
}

function imageColumn(c: ContainerSummary, trunc: boolean): string {
  if (c.Image === '') return '<no image>';
  if (!trunc) return c.Image;
  if (truncateId(c.ImageID) === truncateId(c.Image)) return truncateId(c.Image);
  // Familiar name, tag kept, digest dropped.
  const ref = splitReference(c.Image);
  return familiarName(ref.name) + (ref.tag === undefined ? '' : `:${ref.tag}`);
}

function sizeColumn(c: ContainerSummary): string {
  const rw = humanSize(c.SizeRw ?? 0);
  return (c.SizeRootFs ?? 0) > 0 ? `${rw} (virtual ${humanSize(c.SizeRootFs as number)})` : rw;
}

/** docker's `DisplayablePorts`: "0.0.0.0:8080->80/tcp, 443/tcp", consecutive ports grouped. */
export function displayablePorts(ports: ContainerPort[]): string {
  const sorted = [...ports].sort(
    (a, b) =>
      a.PrivatePort - b.PrivatePort ||
      (a.IP ?? '').localeCompare(b.IP ?? '') ||
      (a.PublicPort ?? 0) - (b.PublicPort ?? 0) ||
      a.Type.localeCompare(b.Type),
  );
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  const join = (ip: string, port: string | number): string =>
    ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
  const form = (key: string, g: { first: number; last: number }): string => {
    const [a, b] = key.split('/') as [string, string | undefined];
    const type = b ?? a;
    const ip = b === undefined ? '' : a;
    let group = String(g.first);
    if (g.first !== g.last) group += `-${g.last}`;
    if (ip !== '') group = `${join(ip, group)}->${group}`;
    return `${group}/${type}`;
  };
  for (const p of sorted) {
    let key = p.Type;
    if (p.IP) {
      if (p.PublicPort !== p.PrivatePort) {
        hostMappings.push(`${join(p.IP, p.PublicPort ?? 0)}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
    else if (p.PrivatePort === g.last + 1) g.last = p.PrivatePort;
    else {
      result.push(form(key, g));
      groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
    }
  }
  for (const [key, g] of groups) result.push(form(key, g));
  return [...result, ...hostMappings].join(', ');
}
