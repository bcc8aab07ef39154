import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError } from '@polis/core';
import { boolParam, filtersParam, intParam } from './query.js';

const q = (s: string): URLSearchParams => new URLSearchParams(s);
const is400 = (e: unknown): boolean => isPolisError(e, 'request.invalid');

test('Docker booleans', () => {
  for (const v of ['1', 'true', 'True', 'TRUE']) assert.equal(boolParam(q(`a=${v}`), 'a'), true, v);
  for (const v of ['0', 'false', 'False', '']) assert.equal(boolParam(q(`a=${v}`), 'a', true), false, v);
  assert.equal(boolParam(q(''), 'a'), false);
  assert.equal(boolParam(q(''), 'a', true), true);
  assert.throws(() => boolParam(q('a=yes'), 'a'), is400);
});

test('integers: absent or empty is undefined, garbage is a 400', () => {
  assert.equal(intParam(q('t=5'), 't'), 5);
  assert.equal(intParam(q('t=-1'), 't'), -1);
  assert.equal(intParam(q('t='), 't'), undefined);
  assert.equal(intParam(q(''), 't'), undefined);
  for (const v of ['abc', '1.5', '5s', '99999999999999999999'])
    assert.throws(() => intParam(q(`t=${v}`), 't'), is400, v);
});

test('filters: both JSON forms, 400 on invalid JSON or shapes', () => {
  const enc = (v: unknown): URLSearchParams => q(`filters=${encodeURIComponent(JSON.stringify(v))}`);
  assert.deepEqual(filtersParam(enc({ status: ['running', 'exited'] })), { status: ['running', 'exited'] });
  assert.deepEqual(filtersParam(enc({ label: { 'a=b': true, c: false } })), { label: ['a=b'] });
  assert.equal(filtersParam(q('')), undefined);
  assert.throws(
    () => filtersParam(q('filters={bad')),
    (e) => is400(e) && /not valid JSON/.test((e as Error).message),
  );
  assert.throws(() => filtersParam(enc(['x'])), is400);
  assert.throws(() => filtersParam(enc({ status: 'running' })), is400);
});
