import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DETACH_KEYS, DetachMatcher, parseDetachKeys } from './detach-keys.js';

test('parses ctrl names and single characters as docker does', () => {
  assert.deepEqual([...parseDetachKeys(DEFAULT_DETACH_KEYS)], [0x10, 0x11]);
  assert.deepEqual([...parseDetachKeys('ctrl-x')], [0x18]);
  assert.deepEqual([...parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-_')], [0, 27, 28, 31]);
  assert.deepEqual([...parseDetachKeys('a,ctrl-a')], [0x61, 0x01]);
  assert.throws(() => parseDetachKeys('a,,b'), /Invalid detach keys/);
});

test('an unknown key is refused with the daemon wording', () => {
  assert.throws(() => parseDetachKeys('ctrl-1'), /^Error: Invalid detach keys \(ctrl-1\) provided$/);
  assert.throws(() => parseDetachKeys('shift-a'), /Invalid detach keys/);
});

test('the sequence in one chunk detaches and is not passed on', () => {
  const m = new DetachMatcher(parseDetachKeys(DEFAULT_DETACH_KEYS));
  const r = m.push(Buffer.from('ab\x10\x11cd'));
  assert.equal(r.detached, true);
  assert.equal(r.data.toString(), 'ab');
});

test('a sequence split across chunks is held back, then completes', () => {
  const m = new DetachMatcher(parseDetachKeys(DEFAULT_DETACH_KEYS));
  assert.deepEqual(m.push(Buffer.from('x\x10')), { data: Buffer.from('x'), detached: false });
  assert.deepEqual(m.push(Buffer.from('\x11')), { data: Buffer.alloc(0), detached: true });
});

test('a broken sequence passes every byte on in order', () => {
  const m = new DetachMatcher(parseDetachKeys(DEFAULT_DETACH_KEYS));
  assert.equal(m.push(Buffer.from('\x10')).data.length, 0);
  const r = m.push(Buffer.from('y\x10\x10\x11'));
  assert.equal(r.detached, true);
  assert.deepEqual([...r.data], [0x10, 0x79, 0x10]);
});

test('a one-key sequence detaches on that key alone', () => {
  const m = new DetachMatcher(parseDetachKeys('ctrl-x'));
  assert.deepEqual(m.push(Buffer.from('ab')), { data: Buffer.from('ab'), detached: false });
  assert.equal(m.push(Buffer.from('\x18')).detached, true);
});
