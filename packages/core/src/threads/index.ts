export { ThreadPool, type JobOptions } from './pool.js';
export { serveJobs, type Reply } from './serve.js';
export { closeQuietly, readFullSync, writeAllSync } from './blocking.js';
