import type { TopResponse } from '@polis/sdk/engine';
import { tabwrite } from './tabwriter.js';

/** docker top's table: the titles and rows through `tabwriter.NewWriter(out, 20, 1, 3, ' ', 0)`. */
export function topTable(top: TopResponse): string {
  const text = [top.Titles, ...top.Processes].map((row) => `${row.join('\t')}\n`).join('');
  return tabwrite(text, 20, 3);
}
