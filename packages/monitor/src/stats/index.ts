export { StatsSampler, type StatsListener, type StatsSamplerOptions } from './sampler.js';
export { readSample, type SampleRoots } from './sample.js';
export type { StatsSample, CpuCounters, MemoryCounters, BlkioEntry, NetCounters } from './types.js';
