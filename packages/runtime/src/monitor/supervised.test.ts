import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { proc } from '@polis/core';
import { processStart } from './process-start.js';
import { SupervisedIndex } from './supervised.js';

test('processStart: a live process has a start time, an ended one none', async () => {
  assert.ok((processStart(process.pid) ?? -1) > 0);
  const child = proc.start('sleep', ['30']);
  const pid = child.pid as number;
  assert.ok(processStart(pid) !== undefined);
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.equal(processStart(pid), undefined);
  assert.equal(processStart(0), undefined);
});

test('SupervisedIndex: a tracked process that ends is lost; untracked ids are not listed', async () => {
  const index = new SupervisedIndex();
  const child = proc.start('sleep', ['30']);
  index.track('a', child.pid as number);
  index.track('self', process.pid);
  assert.deepEqual(index.lost(), []);
  assert.ok(index.alive('a'));
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.deepEqual(index.lost(), ['a']);
  assert.equal(index.alive('a'), false);
  index.untrack('a');
  assert.deepEqual(index.lost(), []);
  // A pid that was already gone when tracked counts as lost at once.
  index.track('gone', child.pid as number);
  assert.deepEqual(index.lost(), ['gone']);
});
