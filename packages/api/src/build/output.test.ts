import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderedOutput, type BuildMessage } from './output.js';

test('parallel stages print in stage order', () => {
  const seen: string[] = [];
  const out = new OrderedOutput((m: BuildMessage) => seen.push((m as { stream: string }).stream), 3);
  const [a, b, c] = [out.lane(0), out.lane(1), out.lane(2)];
  c({ stream: 'c1' });
  a({ stream: 'a1' });
  b({ stream: 'b1' });
  c({ stream: 'c2' });
  out.done(2);
  a({ stream: 'a2' });
  out.done(0);
  b({ stream: 'b2' });
  out.done(1);
  assert.deepEqual(seen, ['a1', 'a2', 'b1', 'b2', 'c1', 'c2']);
});
