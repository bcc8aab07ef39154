export { run, start, waitFor, failure, tail, mount, umount } from './run.js';
export type { RunOptions, RunResult, StartOptions, ChildProcess } from './run.js';
export { which } from './which.js';
export { pipes, closePipe } from './pipes.js';
export type { PipeFds } from './pipes.js';
