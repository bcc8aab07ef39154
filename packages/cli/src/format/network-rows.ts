/** Row contexts of `polis network ls`, as docker's networkContext. */
import type { NetworkResource } from '@polis/sdk/engine';
import { rowJson } from './render.js';
import { goTime } from './time.js';
import { STRICT } from './values.js';

export const DEFAULT_NETWORK_FORMAT = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

export const NETWORK_HEADER: Record<string, string> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  'Label()': 'LABEL',
  CreatedAt: 'CREATED AT',
};

const natural = new Intl.Collator('en', { numeric: true });

/** docker sorts networks by name, digits compared as numbers. */
export function sortByName(networks: NetworkResource[]): NetworkResource[] {
  return [...networks].sort((a, b) => natural.compare(a.Name, b.Name));
}

export function networkRow(n: NetworkResource, trunc: boolean): object {
  const labels = n.Labels ?? {};
  const row = {
    [STRICT]: true,
    ID: trunc ? n.Id.slice(0, 12) : n.Id,
    Name: n.Name,
    Driver: n.Driver,
    Scope: n.Scope,
    IPv6: String(n.EnableIPv6),
    Internal: String(n.Internal),
    Labels: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Label: (name: unknown) => labels[String(name)] ?? '',
    CreatedAt: goTime(Date.parse(n.Created) / 1000),
  };
  Object.defineProperty(row, 'toJSON', { value: () => rowJson(row) });
  return row;
}

/** docker port's line for one binding: `0.0.0.0:8080`, `[::]:8080`. */
export function hostAddress(hostIp: string, hostPort: string): string {
  return hostIp.includes(':') ? `[${hostIp}]:${hostPort}` : `${hostIp}:${hostPort}`;
}
