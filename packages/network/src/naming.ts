import { createHash } from 'node:crypto';

const DEFAULT_DATA_ROOT = '/var/lib/polis';

/**
 * Names of the host objects one daemon owns. The daemon on the default data root uses `polis0` and
 * table `ip polis`; any other data root (tests run many daemons side by side) gets names derived from
 * it, so two daemons never rebuild each other's firewall table or share a default bridge.
 */
export function hostNames(dataRoot: string): { table: string; defaultBridge: string } {
  if (dataRoot === DEFAULT_DATA_ROOT) return { table: 'polis', defaultBridge: 'polis0' };
  const tag = createHash('sha256').update(dataRoot).digest('hex');
  return { table: `polis_${tag.slice(0, 8)}`, defaultBridge: `pb${tag.slice(0, 10)}` };
}
