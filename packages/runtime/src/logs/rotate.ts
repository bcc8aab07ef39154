import { closeSync, linkSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ContainerRecord } from '@polis/core';
import { PolisError, parseBytes } from '@polis/core';
import type { RuntimeContext } from '../context.js';
import { logDriverOf } from './drivers.js';

/** A container's log bound: conmon caps each file at `maxSize`; `maxFiles` counts it and rotated ones. */
export interface LogLimits {
  maxSize: number;
  maxFiles: number;
}

export function logLimits(ctx: RuntimeContext, record: ContainerRecord): LogLimits {
  const o = record.spec.logging.options;
  return {
    maxSize: o['max-size'] ? parseBytes(o['max-size']) : ctx.config.logMaxSize,
    maxFiles: o['max-file'] ? parseMaxFile(o['max-file']) : ctx.config.logMaxFiles,
  };
}

/**
 * The bounds of conmon's own log. With json-file or syslog, conmon's file is the relay's source
 * (`relay.ts`): bounded by the user's small max-size, a burst would be cut away before the relay read
 * it, so the source keeps at least the daemon's default bounds and the user's apply to the json-file.
 */
export function sourceLogLimits(ctx: RuntimeContext, record: ContainerRecord): LogLimits {
  const user = logLimits(ctx, record);
  const driver = logDriverOf(record.spec.logging.driver);
  if (driver !== 'json-file' && driver !== 'syslog') return user;
  return {
    maxSize: Math.max(user.maxSize, ctx.config.logMaxSize),
    maxFiles: Math.max(user.maxFiles, ctx.config.logMaxFiles),
  };
}

export function parseMaxFile(text: string): number {
  if (!/^[1-9]\d*$/.test(text))
    throw new PolisError('request.invalid', `invalid value for max-file: ${text}`);
  return Number(text);
}

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

/**
 * Rotated files of a log, oldest first (`ctr.log.2`, `ctr.log.1`), that exist; then any file conmon
 * has cut that rotation has not moved yet (the held one, then the staged one if conmon used it too).
 */
export async function rotatedFiles(logPath: string, maxFiles: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = maxFiles - 1; i >= 1; i--) {
    const p = `${logPath}.${i}`;
    if (await exists(p)) out.push(p);
  }
  if (maxFiles < 2) return out;
  const n = logNames(logPath);
  const [live, held, next, tmp] = await Promise.all(
    [n.live, n.held, n.next, n.tmp].map((p) => stat(p).catch(() => undefined)),
  );
  if (held && held.ino !== live?.ino) out.push(n.held);
  if (next && next.size > 0 && next.ino !== live?.ino && next.ino !== tmp?.ino) out.push(n.next);
  return out;
}

/**
 * The names rotation works with. conmon, at `--log-size-max`, opens `<log>.tmp` (O_CREAT|O_TRUNC) and
 * renames it over `<log>`, which unlinks the full file. Rotation therefore never races conmon: the
 * live file always has a second name (`held`), so conmon's rename only takes `<log>` away from it, and
 * an empty `<log>.tmp` is staged in advance with a second name (`next`), so the file conmon moves in is
 * held from its first byte. The extra names start with a dot: they are not more log files, only more
 * names of the two that exist.
 */
export function logNames(logPath: string): { live: string; tmp: string; held: string; next: string } {
  const dir = dirname(logPath);
  const name = basename(logPath);
  return {
    live: logPath,
    tmp: `${logPath}.tmp`,
    held: join(dir, `.${name}.held`),
    next: join(dir, `.${name}.next`),
  };
}

type Ino = { ino: number; size: number } | undefined;
function ino(p: string): Ino {
  const s = statSync(p, { throwIfNoEntry: false });
  return s ? { ino: s.ino, size: s.size } : undefined;
}

const ignoreExists = (err: unknown): void => {
  if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
};

/** Shifts the rotated files (`.1` → `.2` …, the oldest goes) and moves `from` in as `.1`. */
function pushRotated(logPath: string, from: string, maxFiles: number): void {
  rmSync(`${logPath}.${maxFiles - 1}`, { force: true });
  for (let i = maxFiles - 2; i >= 1; i--) {
    if (ino(`${logPath}.${i}`)) renameSync(`${logPath}.${i}`, `${logPath}.${i + 1}`);
  }
  renameSync(from, `${logPath}.1`);
}

/**
 * Brings a log's files in line with what conmon did since the last call: a held file that is no longer
 * live is complete and becomes `.1`; the live file gets its second name; a fresh `<log>.tmp` is staged.
 * Safe to call any time and repeatedly (one call at a time per log); with `maxFiles` < 2 conmon's own
 * truncation is the bound and nothing is kept. Answers the live file's size and whether a file was
 * rotated. Synchronous on purpose: a dozen metadata calls take microseconds, while a round trip through
 * the thread pool for each let conmon cut twice more under load before the staging was in place.
 */
export function syncLog(
  logPath: string,
  maxFiles: number,
): { liveSize: number; rotated: boolean } | undefined {
  if (maxFiles < 2) return undefined;
  const n = logNames(logPath);
  const live = ino(n.live);
  if (!live) return undefined;
  const held = ino(n.held);
  const next = ino(n.next);
  const tmp = ino(n.tmp);
  let rotated = false;
  if (held && held.ino !== live.ino) {
    if (held.size > 0) pushRotated(logPath, n.held, maxFiles);
    else rmSync(n.held, { force: true });
    rotated = true;
  }
  let heldNow = held !== undefined && held.ino === live.ino;
  if (next && next.ino === live.ino) {
    if (!heldNow) renameSync(n.next, n.held);
    else rmSync(n.next, { force: true });
    heldNow = true;
  } else if (next && next.ino !== tmp?.ino) {
    // conmon used the staged file and replaced it again before we looked: it is complete, and newer
    // than the held one.
    if (next.size > 0) pushRotated(logPath, n.next, maxFiles);
    else rmSync(n.next, { force: true });
    rotated = true;
  }
  if (!heldNow) tryLink(n.live, n.held);
  stage(n);
  return { liveSize: live.size, rotated };
}

/** Links `to` to the file at `from`; false when `to` exists already. */
function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (err) {
    ignoreExists(err);
    return false;
  }
}

/** Stages an empty `<log>.tmp` that is also `next`; if conmon is creating its own right now, leaves it. */
function stage(n: ReturnType<typeof logNames>): void {
  if (ino(n.next)) return;
  closeSync(openSync(n.next, 'w', 0o640));
  if (!tryLink(n.next, n.tmp)) rmSync(n.next, { force: true });
}
