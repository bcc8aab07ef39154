import { existsSync } from 'node:fs';
import { proc } from '@polis/core';
import type { NetworkContext } from './context.js';

/**
 * Puts back on their bridge the host ends of endpoints that lost it: a bridge deleted under polisd
 * takes its ports with it (the veths stay, masterless), and `ensureBridges` makes only an empty one.
 * One `ip -batch` for all of them; a veth that no longer exists belongs to a container that is gone.
 */
export async function reattachVeths(ctx: NetworkContext): Promise<string[]> {
  const lines: string[] = [];
  const moved: string[] = [];
  for (const n of ctx.networks.all()) {
    for (const e of ctx.endpoints.ofNetwork(n.id)) {
      if (e.hostVeth === '' || !existsSync(`/sys/class/net/${e.hostVeth}`)) continue;
      if (existsSync(`/sys/class/net/${e.hostVeth}/master`)) continue;
      lines.push(
        `link set ${e.hostVeth} master ${n.bridge} up`,
        `link set ${e.hostVeth} type bridge_slave hairpin on`,
      );
      moved.push(e.hostVeth);
    }
  }
  if (lines.length > 0) await proc.run('ip', ['-batch', '-'], { input: lines.join('\n') + '\n' });
  return moved;
}
