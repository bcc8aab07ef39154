/**
 * docker's jsonmessage renderer for pull, push and load progress. On a terminal each layer keeps one line,
 * redrawn in place (cursor up to it, erase, write, cursor back down); elsewhere each status is printed once
 * and the bars are left out.
 */
import type { ProgressMessage } from '@polis/sdk/engine';
import { humanSize } from './units.js';

const ERASE_LINE = '\x1b[2K';
const up = (n: number): string => (n > 0 ? `\x1b[${n}A` : '');
const down = (n: number): string => (n > 0 ? `\x1b[${n}B` : '');

/** A layer id: the 12 hex digits docker shows (a tag in `latest: Pulling from …` is not one). */
const LAYER_ID = /^[0-9a-f]{12}$/;

/** docker's `JSONProgress.String`: `[=====>    ]  1.2MB/3.4MB`, the bar only on wide terminals. */
export function progressBar(detail: ProgressMessage['progressDetail'], width: number): string {
  const current = detail?.current ?? 0;
  const total = detail?.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) {
    return detail?.units ? `${current} ${detail.units}` : humanSize(current, 4).padStart(8);
  }
  const half = Math.min(50, Math.trunc(Math.trunc((current / total) * 100) / 2));
  const bar = width > 110 ? `[${'='.repeat(half)}>${' '.repeat(Math.max(0, 50 - half))}] ` : '';
  if (detail?.hidecounts) return bar;
  if (detail?.units) return `${bar}${current}/${total} ${detail.units}`;
  const cur = humanSize(current, 4).padStart(8);
  return current > total ? `${bar}${cur}` : `${bar}${cur}/${humanSize(total, 4)}`;
}

export class ProgressRenderer {
  /** Layer id → its line, counted from the first layer line (terminal mode). */
  private lines = new Map<string, number>();
  /** The status last printed per id (plain mode), so repeats are left out. */
  private printed = new Map<string, string>();

  constructor(
    private readonly write: (text: string) => void,
    private readonly terminal: boolean,
    /** The terminal's width; the bar is drawn only when it is over 110 columns. */
    private readonly width = 200,
  ) {}

  render(msg: ProgressMessage): void {
    if (msg.aux !== undefined) return;
    if (this.terminal) this.renderTerminal(msg);
    else this.renderPlain(msg);
  }

  private renderTerminal(msg: ProgressMessage): void {
    const id = msg.id ?? '';
    const tracked = id !== '' && msg.stream === undefined && isLayerLine(msg);
    if (!tracked) {
      // A line of its own: later layer lines start a fresh block below it (docker does the same).
      this.lines = new Map();
      this.write(plainText(msg));
      return;
    }
    let line = this.lines.get(id);
    if (line === undefined) {
      line = this.lines.size;
      this.lines.set(id, line);
      this.write('\n');
    }
    const diff = this.lines.size - line;
    const bar = msg.progressDetail !== undefined ? progressBar(msg.progressDetail, this.width) : '';
    const shown = bar !== '' ? bar : (msg.progress ?? '');
    const text = `${id}: ${msg.status ?? ''}${shown === '' ? '' : ` ${shown}`}`;
    this.write(`${up(diff)}${ERASE_LINE}\r${text}\r${down(diff)}`);
  }

  private renderPlain(msg: ProgressMessage): void {
    if (msg.stream !== undefined) {
      this.write(msg.stream);
      return;
    }
    const detail = msg.progressDetail;
    const moving = (detail?.current ?? 0) > 0 || (detail?.total ?? 0) > 0;
    if (moving || (msg.progress !== undefined && msg.progress !== '')) return;
    const id = msg.id ?? '';
    if (id !== '') {
      if (this.printed.get(id) === msg.status) return;
      this.printed.set(id, msg.status ?? '');
    }
    this.write(plainText(msg));
  }
}

/** docker tracks a line for every message that carries progress; a bare layer id counts too. */
function isLayerLine(msg: ProgressMessage): boolean {
  return msg.progressDetail !== undefined || msg.progress !== undefined || LAYER_ID.test(msg.id ?? '');
}

function plainText(msg: ProgressMessage): string {
  if (msg.stream !== undefined) return msg.stream;
  return `${msg.id ? `${msg.id}: ` : ''}${msg.status ?? ''}\n`;
}
