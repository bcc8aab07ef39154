import { rename, rm, stat } from 'node:fs/promises';
import type { ContainerRecord } from '@polis/core';
import { PolisError, parseBytes } from '@polis/core';
import type { RuntimeContext } from '../context.js';
import { conmonCtl } from '../attach/ctl.js';

/** A container's log bound: conmon caps the live file at `maxSize`; `maxFiles` counts it and rotated ones. */
export function logLimits(
  ctx: RuntimeContext,
  record: ContainerRecord,
): { maxSize: number; maxFiles: number } {
  const o = record.spec.logging.options;
  return {
    maxSize: o['max-size'] ? parseBytes(o['max-size']) : ctx.config.logMaxSize,
    maxFiles: o['max-file'] ? parseMaxFile(o['max-file']) : ctx.config.logMaxFiles,
  };
}

export function parseMaxFile(text: string): number {
  if (!/^[1-9]\d*$/.test(text))
    throw new PolisError('request.invalid', `invalid value for max-file: ${text}`);
  return Number(text);
}

/** Rotated files of a log, oldest first (`ctr.log.2`, `ctr.log.1`), that exist. */
export async function rotatedFiles(logPath: string, maxFiles: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = maxFiles - 1; i >= 1; i--) {
    const p = `${logPath}.${i}`;
    if (
      await stat(p).then(
        () => true,
        () => false,
      )
    )
      out.push(p);
  }
  return out;
}

const CHECK_MS = 500;
/** Rotate a little before conmon's own cap, which would discard the whole file. */
const ROTATE_AT = 0.75;

/**
 * Keeps `max-file` rotated copies: when a running container's log nears `max-size`, the files shift
 * (`ctr.log` → `ctr.log.1` → …) and conmon is told to reopen its log (`2 0 0` on its control FIFO).
 */
export class LogRotator {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: RuntimeContext) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private checking = false;

  /** One check at a time: two overlapping rotations would delete each other's files. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await this.checkAll();
    } finally {
      this.checking = false;
    }
  }

  private async checkAll(): Promise<void> {
    for (const record of this.ctx.store.all()) {
      if (record.state.status !== 'running' && record.state.status !== 'paused') continue;
      const { maxSize, maxFiles } = logLimits(this.ctx, record);
      if (maxFiles < 2 || maxSize <= 0) continue;
      const size = (await stat(record.paths.logPath).catch(() => ({ size: 0 }))).size;
      if (size >= maxSize * ROTATE_AT) {
        await rotate(record, maxFiles).catch((err) =>
          this.ctx.log.debug('log rotation', { id: record.id, err }),
        );
      }
    }
  }
}

export async function rotate(record: ContainerRecord, maxFiles: number): Promise<void> {
  const base = record.paths.logPath;
  // Nothing to rotate (conmon already replaced or the file is gone): never drop the older copies.
  if (
    !(await stat(base).then(
      () => true,
      () => false,
    ))
  )
    return;
  await rm(`${base}.${maxFiles - 1}`, { force: true });
  for (let i = maxFiles - 2; i >= 1; i--)
    await rename(`${base}.${i}`, `${base}.${i + 1}`).catch(() => undefined);
  await rename(base, `${base}.1`);
  await conmonCtl(record.paths.bundle, '2 0 0');
}
