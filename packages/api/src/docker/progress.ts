import type { ProgressEvent } from '@polis/image';

/** Docker's progress message (jsonmessage.JSONMessage) for one pull or push event. */
export function progressMessage(event: ProgressEvent): Record<string, unknown> {
  const message: Record<string, unknown> = { status: event.status };
  if (event.id !== undefined) {
    if (event.current !== undefined) {
      const detail: Record<string, number> = { current: event.current };
      if (event.total !== undefined) detail.total = event.total;
      message.progressDetail = detail;
      message.progress = progressBar(event.current, event.total ?? 0);
    } else message.progressDetail = {};
    message.id = event.id;
  }
  return message;
}

const BAR_WIDTH = 50;

/** jsonmessage.JSONProgress.String(): `[=====>      ]  1.23MB/4.56MB`. */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return humanSize(current);
  const bars = Math.min(BAR_WIDTH, Math.floor((Math.min(current, total) / total) * BAR_WIDTH));
  const box = `[${'='.repeat(bars)}${bars < BAR_WIDTH ? '>' : ''}${' '.repeat(Math.max(0, BAR_WIDTH - bars - 1))}]`;
  return `${box} ${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

/** go-units HumanSize: decimal units, four significant digits (`1.234MB`, `527B`). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return `${Number(value.toPrecision(4))}${units[i]}`;
}
