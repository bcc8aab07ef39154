import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError } from '@polis/core';
import { parseDockerfile } from './dockerfile/parse.js';
import { neededStages, stageDeps } from './plan.js';

const df = parseDockerfile(
  [
    'FROM busybox AS a',
    'RUN echo a',
    'FROM busybox AS b',
    'RUN echo b',
    'FROM a AS c',
    'COPY --from=b /x /x',
    'FROM busybox AS unused',
    'FROM busybox',
    'COPY --from=c /x /y',
    'COPY --from=busybox /bin/sh /sh',
  ].join('\n'),
);

test('stage dependencies: the base stage and COPY --from stages, not images', () => {
  assert.deepEqual(stageDeps(df, df.stages[2]!).sort(), [0, 1]);
  assert.deepEqual(stageDeps(df, df.stages[4]!), [2]);
  assert.deepEqual(stageDeps(df, df.stages[0]!), []);
});

test('only the stages the target needs are built; --target picks a stage', () => {
  assert.deepEqual(
    neededStages(df).map((s) => s.index),
    [0, 1, 2, 4],
  );
  assert.deepEqual(
    neededStages(df, 'b').map((s) => s.index),
    [1],
  );
  assert.deepEqual(
    neededStages(df, 'C').map((s) => s.index),
    [0, 1, 2],
  );
  assert.throws(
    () => neededStages(df, 'nope'),
    (e: unknown) => isPolisError(e, 'request.invalid'),
  );
});
