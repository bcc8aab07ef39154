/**
 * What a backup's main thread and its worker (`send-worker.ts`) share: a ring of SLOTS chunks of
 * CHUNK bytes, which the worker fills from tar's pipe in turn and the main thread writes to the client
 * straight from the shared memory, and an Int32Array of SLOTS + 1 cells: a slot's cell is 1 while the
 * main thread holds it (posted, not yet written out), 0 when the worker may fill it; the last cell, STOP,
 * is 1 once the backup failed or its reader went away. Reusing the memory matters: a fresh 1 MiB buffer
 * per chunk cost ~4 ms of page faults and GC each on these VMs, more than the copy itself.
 */
export const SLOTS = 8;
export const CHUNK = 1024 * 1024;
export const STOP = SLOTS;
