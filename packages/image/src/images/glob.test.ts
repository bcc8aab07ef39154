import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch } from './glob.js';

test('glob follows Go path.Match', () => {
  assert.equal(globMatch('busy*', 'busybox'), true);
  assert.equal(globMatch('*', 'user/repo'), false, '* does not cross /');
  assert.equal(globMatch('*/*', 'user/repo'), true);
  assert.equal(globMatch('b?sybox:*', 'busybox:latest'), true);
  assert.equal(globMatch('[a-c]*', 'busybox'), true);
  assert.equal(globMatch('[^a-c]*', 'busybox'), false);
  assert.equal(globMatch('a.b', 'axb'), false, 'dots are literal');
  assert.equal(globMatch('\\*', '*'), true);
  assert.equal(globMatch('host:5000/*', 'host:5000/repo'), true);
});
