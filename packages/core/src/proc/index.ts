export { run, start, startWith, waitFor, failure, tail, mount, umount, netnsAdd } from './run.js';
export type { RunOptions, RunResult, StartOptions, ChildProcess, ChildFd, Started } from './run.js';
export { which } from './which.js';
export { BULK_PIPE_SIZE, pipes, closePipe, unlinkAll } from './pipes.js';
export type { PipeFds } from './pipes.js';
