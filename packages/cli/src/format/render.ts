/** docker's formatter Context: `table …`, `json`, or a custom template, one execution per row. */
import { FUNCTIONS, HEADER_FUNCTIONS } from './functions.js';
import { tabwrite } from './tabwriter.js';
import { Template } from './template.js';

export function isTable(format: string): boolean {
  return format.startsWith('table');
}

/** Renders rows (row contexts) with a format; `header` maps field names to column titles. */
export function render(format: string, rows: readonly object[], header: Record<string, string>): string {
  let text = format;
  if (isTable(format)) text = text.slice('table'.length);
  else if (format === 'json') text = '{{json .}}';
  text = text.trim().replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  const tmpl = Template.parse(text);
  let body = '';
  for (const row of rows) body += `${tmpl.execute(row, FUNCTIONS)}\n`;
  if (!isTable(format)) return body;
  const titles: Record<string, unknown> = { ...header };
  // Methods with arguments (`.Label "x"`) are columns too; their title is the method's.
  for (const [k, v] of Object.entries(header)) if (k.endsWith('()')) titles[k.slice(0, -2)] = () => v;
  return tabwrite(`${tmpl.execute(titles, HEADER_FUNCTIONS)}\n${body}`);
}

/** A row context's JSON (docker marshals every argument-less method): its string fields, keys sorted. */
export function rowJson(row: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row).sort()) {
    const v = (row as Record<string, unknown>)[key];
    if (typeof v !== 'function') out[key] = v;
  }
  return out;
}
