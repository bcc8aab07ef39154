/**
 * Go's text/tabwriter (elastic tabstops), as docker's formatter uses it: `NewWriter(out, 10, 1, 3, ' ', 0)`.
 * Tab-terminated cells of consecutive lines form a column; each column is as wide as its widest cell plus
 * the padding, and at least `minwidth`. The last cell of a line is not part of any column.
 */
export function tabwrite(text: string, minwidth = 10, padding = 3): string {
  const raw = text.split('\n');
  const last = raw.pop() as string;
  const lines: string[][] = raw.map((l) => l.split('\t'));
  // Text after the final newline is a line of its own, printed without a newline.
  const tail = last === '' ? [] : last.split('\t');
  lines.push(tail);
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const cells = lines[i] as string[];
      let text = '';
      cells.forEach((cell, j) => {
        text += cell;
        if (j < widths.length) text += ' '.repeat((widths[j] as number) - width(cell));
      });
      out.push(i + 1 === lines.length ? text : `${text}\n`);
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= (lines[current] as string[]).length - 1) continue;
      writeLines(line0, current);
      line0 = current;
      let w = minwidth;
      for (; current < line1; current++) {
        const cells = lines[current] as string[];
        if (column >= cells.length - 1) break;
        w = Math.max(w, width(cells[column] as string) + padding);
      }
      widths.push(w);
      format(line0, current);
      widths.pop();
      line0 = current;
      current--;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('');
}

/** Display width in code points (docker counts East Asian wide runes as 2; rare in these tables). */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
