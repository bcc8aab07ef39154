/** Row contexts of `polis history`, as docker's historyContext. */
import type { ImageHistoryItem } from '@polis/sdk/engine';
import { ellipsis } from './container-rows.js';
import { truncateId } from './reference.js';
import { rowJson } from './render.js';
import { humanSize, since } from './units.js';
import { STRICT } from './values.js';

export const HUMAN_HISTORY_FORMAT =
  'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
export const PLAIN_HISTORY_FORMAT = 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';

export const HISTORY_HEADER: Record<string, string> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

/** Go's `time.Format(time.RFC3339)` in local time: `2024-01-02T15:04:05+01:00` (or `Z` in UTC). */
export function rfc3339(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const zone =
    offset === 0
      ? 'Z'
      : `${offset < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`
  );
}

export function historyRows(
  items: ImageHistoryItem[],
  opts: { trunc: boolean; human: boolean },
  now = Date.now(),
): object[] {
  return items.map((h) => {
    const createdBy = h.CreatedBy.replaceAll('\t', ' ');
    const createdAt = rfc3339(h.Created);
    const row = {
      [STRICT]: true,
      ID: opts.trunc ? truncateId(h.Id) : h.Id,
      CreatedSince: opts.human ? since(h.Created, now) : createdAt,
      CreatedAt: createdAt,
      CreatedBy: opts.trunc ? ellipsis(createdBy, 45) : createdBy,
      Size: opts.human ? humanSize(h.Size) : String(h.Size),
      Comment: h.Comment,
    };
    Object.defineProperty(row, 'toJSON', { value: () => rowJson(row) });
    return row;
  });
}
