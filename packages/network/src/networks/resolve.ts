import { PolisError } from '@polis/core';
import type { NetworkRows } from '../store/networks.js';
import type { NetworkRecord } from '../types.js';

/** Docker's lookup order: full id, then exact name, then a unique id prefix. */
export function resolveNetwork(rows: NetworkRows, reference: string): NetworkRecord {
  const found = rows.byId(reference) ?? rows.byName(reference);
  if (found) return found;
  const matches = reference.length > 0 ? rows.byIdPrefix(reference) : [];
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new PolisError(
      'network.invalid',
      `network ${reference} is ambiguous (${matches.length} matches found based on ID prefix)`,
      { context: { network: reference } },
    );
  }
  throw new PolisError('network.not_found', `network ${reference} not found`, {
    context: { network: reference },
  });
}
