import { open, stat } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { LogEntry, LogOptions } from '../types.js';
import { entrySeconds, parseLine, splitLines } from './k8s-file.js';
import { logNames } from './rotate.js';

export interface FollowControl {
  /** True once the container's run being followed has ended (then one last read drains the file). */
  ended(): boolean;
  /** Wakes the reader up (exit events call this). */
  onWake(cb: () => void): () => void;
}

const POLL_MS = 250;

function wanted(entry: LogEntry, o: LogOptions): boolean {
  if (entry.stream === 'stdout' && !o.stdout) return false;
  if (entry.stream === 'stderr' && !o.stderr) return false;
  const t = entrySeconds(entry);
  if (o.since !== undefined && t < o.since) return false;
  if (o.until !== undefined && t > o.until) return false;
  return true;
}

async function readFrom(
  path: string,
  offset: number,
): Promise<{ text: string; size: number; ino: number | undefined }> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return { text: '', size: 0, ino: undefined };
  }
  try {
    const { size, ino } = await fh.stat();
    if (size <= offset) return { text: '', size, ino };
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    return { text: buf.subarray(0, bytesRead).toString('utf8'), size: offset + bytesRead, ino };
  } finally {
    await fh.close();
  }
}

/**
 * One look at the live log while following: the bytes after `at`, across a cut by conmon (the file
 * opened is the one whose identity is compared, so a cut between two calls cannot slip through).
 * `reset` says a partial line held from before must be dropped.
 */
async function readNext(
  path: string,
  at: { ino: number | undefined; offset: number },
): Promise<{ text: string; reset: boolean }> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return { text: '', reset: false }; // a moment between names: the offset still belongs to `at.ino`
  }
  try {
    const st = await fh.stat();
    let text = '';
    let reset = false;
    if (at.ino !== undefined && st.ino !== at.ino) {
      // conmon cut the log: what the old file got since the last read is read under the name rotation
      // gave it, then the new file from its start.
      const old = await cutFile(path, at.ino);
      if (old) text = (await readFrom(old, at.offset)).text;
      else reset = true;
      at.offset = 0;
    } else if (st.size < at.offset) {
      at.offset = 0;
      reset = true;
    }
    at.ino = st.ino;
    if (st.size > at.offset) {
      const buf = Buffer.alloc(st.size - at.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, at.offset);
      text += buf.subarray(0, bytesRead).toString('utf8');
      at.offset += bytesRead;
    }
    return { text, reset };
  } finally {
    await fh.close();
  }
}

/** Where a file conmon cut away from the live log is found now: among the rotated and held names. */
async function cutFile(path: string, ino: number): Promise<string | undefined> {
  const n = logNames(path);
  for (const candidate of [n.held, n.next, `${path}.1`, `${path}.2`, `${path}.3`]) {
    const s = await stat(candidate).catch(() => undefined);
    if (s?.ino === ino) return candidate;
  }
  return undefined;
}

/**
 * Reads a container's log: what is there (honouring tail/since/until/streams), then, when following,
 * what is appended until `control.ended()`; a truncated (rotated) file is read again from its start.
 */
export async function* readLog(
  path: string,
  options: LogOptions & { startOffset?: number; rotated?: string[] },
  control?: FollowControl,
  signal?: AbortSignal,
): AsyncGenerator<LogEntry> {
  let offset = options.startOffset ?? 0;
  let older: string[] = [];
  for (const file of options.startOffset === undefined ? (options.rotated ?? []) : []) {
    // concat, not push(...): a rotated file holds hundreds of thousands of lines, more than a call's
    // arguments may number.
    older = older.concat(splitLines((await readFrom(file, 0)).text + '\n').lines);
  }
  const first = await readFrom(path, offset);
  const split = splitLines(first.text);
  const lines = [...older, ...split.lines];
  const rest = split.rest;
  offset = first.size - Buffer.byteLength(rest);
  const at = { ino: first.ino, offset };
  let entries = joinPartials(lines.map(parseLine).filter((e): e is LogEntry => e !== undefined)).filter((e) =>
    wanted(e, options),
  );
  if (options.tail !== undefined && options.tail >= 0)
    entries = options.tail === 0 ? [] : entries.slice(-options.tail);
  for (const e of entries) yield e;
  if (!options.follow || !control) return;

  let wake: (() => void) | undefined;
  const poke = (): void => wake?.();
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), poke);
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined;
  }
  const unsubscribe = control.onWake(poke);
  signal?.addEventListener('abort', poke, { once: true });
  let pending = '';
  try {
    for (;;) {
      if (signal?.aborted) return;
      const endedBefore = control.ended();
      const next = await readNext(path, at);
      if (next.reset) pending = '';
      const split = splitLines(pending + next.text);
      pending = split.rest;
      for (const line of split.lines) {
        const e = parseLine(line);
        if (e && wanted(e, options)) yield e;
      }
      if (endedBefore) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    watcher?.close();
    unsubscribe();
  }
}

/**
 * conmon splits a long line into partial (`P`) entries and a final (`F`) one; counting for `--tail`
 * must be by line, so a stream's partials are joined to the entry that completes them.
 */
export function joinPartials(entries: LogEntry[]): LogEntry[] {
  const out: LogEntry[] = [];
  const pending: Partial<Record<'stdout' | 'stderr', LogEntry>> = {};
  for (const e of entries) {
    const open = pending[e.stream];
    const merged = open ? { ...open, data: Buffer.concat([open.data, e.data]) } : e;
    if (merged.data[merged.data.length - 1] === 0x0a) {
      out.push(merged);
      delete pending[e.stream];
    } else pending[e.stream] = merged;
  }
  for (const rest of Object.values(pending)) if (rest) out.push(rest);
  return out;
}
