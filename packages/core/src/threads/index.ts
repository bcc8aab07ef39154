export { ThreadPool } from './pool.js';
export { serveJobs, type Reply } from './serve.js';
