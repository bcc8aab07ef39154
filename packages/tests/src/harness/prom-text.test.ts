import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePromText, valueOf } from './prom-text.js';

const GOOD = `# HELP a_total Things.
# TYPE a_total counter
a_total{x="1",y="q\\"uo\\\\te\\n"} 3
a_total 4.5e2
# TYPE h histogram
h_bucket{le="+Inf"} 2
h_sum 0.5
h_count 2
# TYPE g gauge

g Nan
`;

describe('the strict Prometheus text parser of the tests', () => {
  it('reads samples, labels with escapes and histogram parts', () => {
    const s = parsePromText(GOOD);
    assert.equal(valueOf(s, 'a_total', { x: '1' }), 3);
    assert.equal(s.samples[0]?.labels.y, 'q"uo\\te\n');
    assert.deepEqual(s.samples[1], { name: 'a_total', labels: {}, value: 450 });
    assert.throws(() => valueOf(s, 'a_total'), /2 series/);
    assert.equal(valueOf(s, 'h_count'), 2);
    assert.equal(s.types.get('h'), 'histogram');
  });

  it('refuses what the format does not allow', () => {
    const bad = [
      'a 1\n', // no TYPE before
      '# TYPE a gauge\na{x=1} 1\n', // unquoted label value
      '# TYPE a gauge\na one\n', // not a number
      '# TYPE a gauge\na 0x10\n',
      '# TYPE a gauge\na 1\na 2\n', // series twice
      '# TYPE a gauge\n a 1\n', // leading space
      '# a comment\n',
      '# TYPE a gauge\na{x="1",x="2"} 1\n',
      '# TYPE a gauge\na 1', // no final newline
      '# TYPE 1a gauge\n',
    ];
    for (const text of bad) assert.throws(() => parsePromText(text), Error, JSON.stringify(text));
  });
});
