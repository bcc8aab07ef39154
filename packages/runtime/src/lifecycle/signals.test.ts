import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signalName } from './signals.js';

test('signal names and numbers', () => {
  assert.equal(signalName('TERM'), 'SIGTERM');
  assert.equal(signalName('sigkill'), 'SIGKILL');
  assert.equal(signalName('9'), 'SIGKILL');
  assert.equal(signalName(15), 'SIGTERM');
  assert.throws(() => signalName('NOPE'), { code: 'request.invalid' });
  assert.throws(() => signalName('999'), { code: 'request.invalid' });
});

test('real-time signals become numbers', () => {
  assert.equal(signalName('SIGRTMIN+3'), '37');
  assert.equal(signalName('RTMAX'), '64');
  assert.equal(signalName('40'), '40');
  assert.throws(() => signalName('SIGRTMAX+1'), { code: 'request.invalid' });
});
