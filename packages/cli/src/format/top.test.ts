import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topTable } from './top.js';

test('top: titles and rows in columns at least 20 wide, the command last and unpadded', () => {
  const out = topTable({
    Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
    Processes: [['root', '4242', '4230', '0', '10:01', '?', '00:00:00', 'sleep 300']],
  });
  const cols = (cells: string[]): string => cells.map((c) => c.padEnd(20)).join('');
  assert.equal(
    out,
    `${cols(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME'])}CMD\n` +
      `${cols(['root', '4242', '4230', '0', '10:01', '?', '00:00:00'])}sleep 300\n`,
  );
});

test('top: a cell longer than 17 widens its column to the cell plus 3', () => {
  const out = topTable({ Titles: ['PID', 'COMMAND'], Processes: [['123456789012345678901', 'x']] });
  assert.equal(out, `PID${' '.repeat(21)}COMMAND\n123456789012345678901   x\n`);
});

test('top: no processes still prints the titles', () => {
  assert.equal(topTable({ Titles: ['PID', 'CMD'], Processes: [] }), `PID${' '.repeat(17)}CMD\n`);
});
