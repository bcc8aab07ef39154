import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tabwrite } from './tabwriter.js';

test('pads columns to the widest cell plus 3, at least 10', () => {
  const out = tabwrite('CONTAINER ID\tIMAGE\tNAMES\nabc\tbusybox:latest\tweb\n');
  assert.equal(out, 'CONTAINER ID   IMAGE            NAMES\nabc            busybox:latest   web\n');
});

test('the empty PORTS column still takes the minimum width', () => {
  const out = tabwrite('STATUS\tPORTS\tNAMES\nUp 3 seconds\t\tweb\n');
  assert.equal(out, 'STATUS         PORTS     NAMES\nUp 3 seconds             web\n');
});

test('a line without tabs ends the column block', () => {
  const out = tabwrite('a\tb\nlong-line-here\nxxxxxxxxxxxx\ty\n');
  assert.equal(out, 'a         b\nlong-line-here\nxxxxxxxxxxxx   y\n');
});

test('text after the last newline is written without one', () => {
  assert.equal(tabwrite('a\tb\nc\td'), 'a         b\nc         d');
});

test('multi-byte characters count as one column each', () => {
  assert.equal(tabwrite('"sh -c \'sleep 100…"\tx\n'), '"sh -c \'sleep 100…"   x\n');
});
