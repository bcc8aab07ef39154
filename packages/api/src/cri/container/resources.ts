import type { ResourceSpec } from '@polis/core';

export interface LinuxResources {
  cpuPeriod?: string;
  cpuQuota?: string;
  cpuShares?: string;
  memoryLimitInBytes?: string;
  oomScoreAdj?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  memorySwapLimitInBytes?: string;
}

/** The CRI's LinuxContainerResources as Polis's limits; zero or empty means "not set", as in the CRI. */
export function resourcesOf(r: LinuxResources | null | undefined): Partial<ResourceSpec> {
  if (!r) return {};
  const out: Partial<ResourceSpec> = {};
  const n = (v: string | undefined): number => Number(v ?? 0);
  if (n(r.cpuPeriod) > 0) out.cpuPeriod = n(r.cpuPeriod);
  if (n(r.cpuQuota) > 0) out.cpuQuota = n(r.cpuQuota);
  if (n(r.cpuShares) > 0) out.cpuShares = n(r.cpuShares);
  if (n(r.memoryLimitInBytes) > 0) out.memory = n(r.memoryLimitInBytes);
  if (n(r.memorySwapLimitInBytes) > 0) out.memorySwap = n(r.memorySwapLimitInBytes);
  if (n(r.oomScoreAdj) !== 0) out.oomScoreAdj = n(r.oomScoreAdj);
  if (r.cpusetCpus) out.cpusetCpus = r.cpusetCpus;
  if (r.cpusetMems) out.cpusetMems = r.cpusetMems;
  return out;
}
