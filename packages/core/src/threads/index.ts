export { ThreadPool, type JobOptions } from './pool.js';
export { serveJobs, type Reply } from './serve.js';
export { closeQuietly, readFullSync, writeAllSync } from './blocking.js';
export { RING_END, RING_STOPPED, SharedRing, type RingShare } from './ring.js';
