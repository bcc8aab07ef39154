import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanSize, progressBar, progressMessage } from './progress.js';

test('progress messages have Docker shapes', () => {
  assert.deepEqual(progressMessage({ status: 'Digest: sha256:abc' }), { status: 'Digest: sha256:abc' });
  assert.deepEqual(progressMessage({ id: 'abc', status: 'Pull complete' }), {
    status: 'Pull complete',
    progressDetail: {},
    id: 'abc',
  });
  const downloading = progressMessage({
    id: 'abc',
    status: 'Downloading',
    current: 500_000,
    total: 1_000_000,
  });
  assert.deepEqual(downloading.progressDetail, { current: 500_000, total: 1_000_000 });
  assert.equal(downloading.progress, `[${'='.repeat(25)}>${' '.repeat(24)}]    500kB/1MB`);
});

test('sizes and bars', () => {
  assert.equal(humanSize(527), '527B');
  assert.equal(humanSize(2_220), '2.22kB');
  assert.equal(humanSize(1_234_567), '1.235MB');
  assert.equal(progressBar(10, 10), `[${'='.repeat(50)}]      10B/10B`);
});
