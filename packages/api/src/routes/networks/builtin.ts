import { createHash } from 'node:crypto';
import { PolisError } from '@polis/core';

/**
 * Docker lists `host` and `none` among the networks though no bridge stands behind them; Polis
 * answers for them here (they are container modes, not records of the network layer).
 */
interface Builtin {
  Name: 'host' | 'none';
  Id: string;
  Driver: 'host' | 'null';
}

const BUILTINS: Builtin[] = [
  { Name: 'host', Id: builtinId('host'), Driver: 'host' },
  { Name: 'none', Id: builtinId('none'), Driver: 'null' },
];

function builtinId(name: string): string {
  return createHash('sha256').update(`polis-builtin-network-${name}`).digest('hex');
}

/** A builtin by name, full id or id prefix (12+ characters, so short references stay the layer's). */
export function findBuiltin(reference: string): Builtin | undefined {
  return BUILTINS.find(
    (b) =>
      b.Name === reference || b.Id === reference || (reference.length >= 12 && b.Id.startsWith(reference)),
  );
}

/** The builtins that pass Docker's list filters. */
export function listBuiltins(filters: Record<string, string[]>): Builtin[] {
  return BUILTINS.filter((b) => {
    const any = (key: string, test: (v: string) => boolean): boolean =>
      !filters[key]?.length || (filters[key] ?? []).some(test);
    return (
      any('name', (v) => b.Name.includes(v)) &&
      any('id', (v) => b.Id.startsWith(v)) &&
      any('driver', (v) => v === b.Driver) &&
      any('type', (v) => v === 'builtin') &&
      !filters.label?.length &&
      !(filters.dangling ?? []).some((v) => v === 'true' || v === '1')
    );
  });
}

export function builtinResource(b: Builtin): Record<string, unknown> {
  return {
    Name: b.Name,
    Id: b.Id,
    Created: '0001-01-01T00:00:00Z',
    Scope: 'local',
    Driver: b.Driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: {},
    Options: {},
    Labels: {},
  };
}

/** Removing or connecting to a builtin is Docker's 403. */
export function refuseBuiltin(b: Builtin, verb: string): never {
  throw new PolisError('network.predefined', `${b.Name} is a pre-defined network and cannot be ${verb}`);
}
