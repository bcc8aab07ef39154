import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunTracer } from './run-trace.js';

describe('RunTracer', () => {
  it('keeps stages in the order they end, measured from the run start, and closes the run at end', () => {
    const tracer = new RunTracer(2);
    tracer.begin('a', 100);
    assert.equal(tracer.mark('a', 'one', 100, 110), 110);
    tracer.mark('a', 'two', 110, 135.5);
    assert.equal(tracer.lastEnd('a'), 135.5);
    let [run] = tracer.list();
    assert.equal(run?.done, false);
    assert.deepEqual(run?.stages, [
      { stage: 'one', at: 0, ms: 10 },
      { stage: 'two', at: 10, ms: 25.5 },
    ]);
    assert.equal(run?.totalMs, 35.5);
    tracer.end('a');
    [run] = tracer.list();
    assert.equal(run?.done, true);
    // A stage for a closed or unknown run is dropped.
    tracer.mark('a', 'late', 140, 150);
    tracer.mark('zzz', 'never', 0, 1);
    assert.equal(tracer.list()[0]?.stages.length, 2);
  });

  it('keeps only the last runs, newest first, open ones before closed ones', () => {
    const tracer = new RunTracer(2);
    for (const id of ['a', 'b', 'c']) {
      tracer.begin(id, 0);
      tracer.end(id);
    }
    tracer.begin('open', 0);
    assert.deepEqual(
      tracer.list(10).map((r) => r.id),
      ['open', 'c', 'b'],
    );
    assert.deepEqual(
      tracer.list(1).map((r) => r.id),
      ['open'],
    );
  });

  it('step times async work and records it even when it fails', async () => {
    const tracer = new RunTracer();
    tracer.begin('x');
    await assert.rejects(
      tracer.step('x', 'boom', () => Promise.reject(new Error('no'))),
      /no/,
    );
    assert.equal(await tracer.step('x', 'fine', () => 7), 7);
    assert.deepEqual(
      tracer.list()[0]?.stages.map((s) => s.stage),
      ['boom', 'fine'],
    );
  });
});
