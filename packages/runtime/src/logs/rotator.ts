import { closeSync, fstatSync, openSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ContainerRecord } from '@polis/core';
import type { RuntimeContext } from '../context.js';
import type { ContainerEvent } from '../types.js';
import { conmonCtl } from '../attach/ctl.js';
import { readableLog } from './drivers.js';
import { sourceLogLimits, syncLog, type LogLimits } from './rotate.js';

/** What rotation needs of a running container: a few strings and numbers, never the record. */
interface Tracked {
  logPath: string;
  bundle: string;
  limits: LogLimits;
  watcher: FSWatcher | undefined;
  /** The sync under way, and whether another is due when it ends (events coalesce into one). */
  busy: boolean;
  again: boolean;
  /**
   * conmon appends to a log left by an earlier run but counts its cap from zero, so until its first
   * swap the live file is watched for growth and reopened (`2 0 0` on the control FIFO) at `maxSize`.
   */
  appended: boolean;
  reopenSent: boolean;
}

/** A slow safety net for a lost inotify event; it reads only the index of running containers. */
const SWEEP_MS = 2000;
/** How long after a container's exit its log is still watched. */
const DRAIN_MS = 2000;

/**
 * Keeps `max-file` files of each running container's log without losing any of the newest
 * (max-file − 1) × max-size: conmon cuts each file at max-size itself, and the files it lets go are
 * kept because they always have a second name (see `syncLog`). Each running container's folder is
 * watched, so the staging for conmon's next cut happens within moments of its last one.
 */
export class LogRotator {
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | undefined;
  private readonly onEvent = (e: ContainerEvent): void => {
    if (e.action === 'die') {
      // conmon may still be writing what the pipe held when the exit was recorded: one more look a
      // moment later, then the entry goes (a restart that prepared meanwhile keeps its own entry).
      const entry = this.tracked.get(e.id);
      void this.sync(e.id);
      setTimeout(() => {
        if (this.tracked.get(e.id) !== entry) return;
        void this.sync(e.id).then(() => {
          if (this.tracked.get(e.id) === entry) this.untrack(e.id);
        });
      }, DRAIN_MS).unref();
    } else if (e.action === 'destroy') this.untrack(e.id);
  };

  constructor(private readonly ctx: RuntimeContext) {}

  /** Picks up the containers that run already (a restarted polisd) and starts the safety sweep. */
  start(): void {
    this.ctx.events.on('event', this.onEvent);
    for (const id of this.ctx.store.ids()) {
      const status = this.ctx.store.statusOf(id);
      if (status !== 'running' && status !== 'paused') continue;
      const record = this.ctx.store.byId(id);
      if (record)
        void this.prepare(record, false).catch((err) => this.ctx.log.debug('log rotation', { id, err }));
    }
    this.timer = setInterval(() => {
      for (const id of this.tracked.keys()) void this.sync(id);
    }, SWEEP_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.ctx.events.off('event', this.onEvent);
    for (const id of [...this.tracked.keys()]) this.untrack(id);
  }

  /**
   * Before conmon opens the log (`launch`): the log exists with its second name, the next file is
   * staged, and the folder is watched, so even a burst from the first instant loses nothing.
   */
  async prepare(record: ContainerRecord, beforeStart = true): Promise<void> {
    const limits = sourceLogLimits(this.ctx, record);
    if (!readableLog(record.spec.logging.driver)) return;
    if (limits.maxFiles < 2 || limits.maxSize <= 0) return;
    const { logPath } = record.paths;
    // Three system calls, made at once rather than queued in the thread pool behind a start's other
    // file work: conmon is spawned after this, and the file must be made (0640) before conmon opens it.
    const fd = openSync(logPath, 'a', 0o640);
    let size: number;
    try {
      size = fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
    this.untrack(record.id);
    const entry: Tracked = {
      logPath,
      bundle: record.paths.bundle,
      limits,
      watcher: undefined,
      busy: false,
      again: false,
      appended: beforeStart && size > 0,
      reopenSent: false,
    };
    this.tracked.set(record.id, entry);
    entry.watcher = this.watchFolder(record.id, logPath);
    await this.sync(record.id);
  }

  /** A container being removed: no more staging in its folder (it would race the folder's deletion). */
  forget(id: string): void {
    this.untrack(id);
  }

  private watchFolder(id: string, logPath: string): FSWatcher | undefined {
    const live = basename(logPath);
    const tmp = `${live}.tmp`;
    try {
      const w = watch(dirname(logPath), (type, filename) => {
        const entry = this.tracked.get(id);
        if (!entry || (filename !== live && filename !== tmp)) return;
        // Renames are conmon's cuts; plain writes matter only while an appended file is watched.
        if (type === 'rename' || (entry.appended && filename === live)) void this.sync(id);
      });
      w.on('error', () => this.untrack(id));
      return w;
    } catch (err) {
      this.ctx.log.debug('log rotation: watch', { id, err });
      return undefined;
    }
  }

  private untrack(id: string): void {
    this.tracked.get(id)?.watcher?.close();
    this.tracked.delete(id);
  }

  /** One sync at a time per log; calls that come meanwhile make one more run afterwards. */
  private async sync(id: string): Promise<void> {
    const entry = this.tracked.get(id);
    if (!entry) return;
    if (entry.busy) {
      entry.again = true;
      return;
    }
    entry.busy = true;
    try {
      do {
        entry.again = false;
        await this.syncOnce(id, entry).catch((err) => this.ctx.log.debug('log rotation', { id, err }));
      } while (entry.again && this.tracked.get(id) === entry);
    } finally {
      entry.busy = false;
    }
  }

  private async syncOnce(id: string, entry: Tracked): Promise<void> {
    const result = syncLog(entry.logPath, entry.limits.maxFiles);
    if (!result) return;
    if (result.rotated) entry.appended = entry.reopenSent = false;
    if (entry.appended && !entry.reopenSent && result.liveSize >= entry.limits.maxSize) {
      entry.reopenSent = true;
      await conmonCtl(entry.bundle, '2 0 0').catch((err) =>
        this.ctx.log.debug('log rotation: reopen', { id, err }),
      );
    }
  }
}
