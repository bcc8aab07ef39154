import { proc } from '@polis/core';

/**
 * A service VIP lives as a /32 on its network's bridge: the bridge then answers ARP for it, so replicas'
 * neighbours send VIP traffic to the host, where the balancer's prerouting DNATs it (`fib daddr type
 * local`). A /32 adds no route and leaves the bridge's gateway address and subnet route as they are.
 */
export async function addVipAddress(bridge: string, vip: string): Promise<void> {
  await proc.run('ip', ['addr', 'replace', `${vip}/32`, 'dev', bridge]);
}

/** Takes the VIP off its bridge; a bridge or address already gone is fine. */
export async function removeVipAddress(bridge: string, vip: string): Promise<void> {
  await proc.run('ip', ['addr', 'del', `${vip}/32`, 'dev', bridge], { okCodes: [0, 1, 2] });
}
