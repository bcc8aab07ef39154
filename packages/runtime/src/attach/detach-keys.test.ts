import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetachScanner, parseDetachKeys } from './detach-keys.js';

test('detach keys parse like Docker', () => {
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [16, 17]);
  assert.deepEqual(parseDetachKeys('a,ctrl-@'), [97, 0]);
  assert.throws(() => parseDetachKeys('ctrl-!!'), { code: 'request.invalid' });
});

test('the scanner passes input through and stops at the sequence, across chunks', () => {
  const s = new DetachScanner([16, 17]);
  assert.deepEqual(s.feed(Buffer.from('ab\x10')), { pass: Buffer.from('ab'), detach: false });
  assert.deepEqual(s.feed(Buffer.from('c')), { pass: Buffer.from('\x10c'), detach: false });
  assert.deepEqual(s.feed(Buffer.from('x\x10\x11rest')), { pass: Buffer.from('x'), detach: true });
});
