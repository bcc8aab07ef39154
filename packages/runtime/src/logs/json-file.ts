import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import type { LogEntry } from '../types.js';

/**
 * One line of Docker's json-file driver: `{"log":"…\n","stream":"stdout","time":"RFC3339Nano"}`.
 * Docker's time is RFC3339Nano, which drops trailing zeros of the fraction; tools parse either.
 */
export function encodeJsonLine(entry: LogEntry): string {
  return `${JSON.stringify({ log: entry.data.toString('utf8'), stream: entry.stream, time: entry.time })}\n`;
}

/** The time of the last complete line of a json-file log, or undefined (resuming after a restart). */
export async function lastJsonTime(path: string): Promise<string | undefined> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const { size } = await fh.stat();
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    const rows = buf.toString('utf8').split('\n');
    for (let i = rows.length - 1; i >= 0; i--) {
      try {
        const t = (JSON.parse(rows[i] as string) as { time?: unknown }).time;
        if (typeof t === 'string') return t;
      } catch {
        // a cut first row or the empty tail
      }
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

/**
 * Appends json-file lines with Docker's rotation: past `maxSize` the file becomes `<path>.1` (`.1`
 * becomes `.2`, … up to `maxFiles − 1`, the oldest dropped); with one file it starts over empty.
 */
export class JsonFileWriter {
  private fh: FileHandle | undefined;
  private size = 0;

  constructor(
    readonly path: string,
    private readonly maxSize: number,
    private readonly maxFiles: number,
  ) {}

  async write(entry: LogEntry): Promise<void> {
    const line = Buffer.from(encodeJsonLine(entry), 'utf8');
    if (!this.fh) {
      this.fh = await open(this.path, 'a', 0o640);
      this.size = (await this.fh.stat()).size;
    }
    if (this.maxSize > 0 && this.size > 0 && this.size + line.length > this.maxSize) await this.rotate();
    await this.fh.write(line);
    this.size += line.length;
  }

  private async rotate(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
    if (this.maxFiles > 1) {
      await rm(`${this.path}.${this.maxFiles - 1}`, { force: true });
      for (let i = this.maxFiles - 2; i >= 1; i--) {
        if (await stat(`${this.path}.${i}`).catch(() => undefined))
          await rename(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      }
      await rename(this.path, `${this.path}.1`);
    }
    this.fh = await open(this.path, this.maxFiles > 1 ? 'a' : 'w', 0o640);
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
  }
}
