import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolisError } from '@polis/core';
import { parseCondition, parseDuration, parseRule, publicRule } from './rule.js';

test('conditions parse from their words', () => {
  assert.deepEqual(parseCondition('unhealthy'), { kind: 'unhealthy' });
  assert.deepEqual(parseCondition('OOM'), { kind: 'oom' });
  assert.deepEqual(parseCondition('exit'), { kind: 'exit' });
  assert.deepEqual(parseCondition('exit-nonzero'), { kind: 'exit' });
  assert.deepEqual(parseCondition('restarts 3 in 30s'), { kind: 'restarts', count: 3, windowMs: 30_000 });
  assert.deepEqual(parseCondition('cpu > 80%'), { kind: 'cpu', percent: 80 });
  assert.deepEqual(parseCondition('memory>90'), { kind: 'memory', percent: 90 });
  assert.deepEqual(parseCondition('mem > 12.5%'), { kind: 'memory', percent: 12.5 });
  assert.deepEqual(parseCondition('disk > 95%'), { kind: 'disk', percent: 95 });
  assert.deepEqual(parseCondition('component unhealthy'), { kind: 'component' });
  assert.deepEqual(parseCondition('component network unhealthy'), {
    kind: 'component',
    component: 'network',
  });
});

test('bad conditions and durations are request.invalid with what to write', () => {
  for (const text of [
    '',
    'sometimes',
    'restarts 0 in 30s',
    'restarts 3 in',
    'restarts x in 30s',
    'cpu 80',
    'cpu > 0%',
    'disk > 101%',
    'oom now',
    'component',
  ]) {
    assert.throws(
      () => parseCondition(text),
      (err: unknown) => err instanceof PolisError && err.code === 'request.invalid',
      text,
    );
  }
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.throws(() => parseDuration('30'), /invalid duration "30"/);
  assert.throws(() => parseCondition('restarts 3 in 30'), /invalid duration/);
});

test('a rule needs a name, a condition and an action; the secret is never shown', () => {
  const rule = parseRule({
    name: 'hot',
    on: 'cpu > 90%',
    for: '1m',
    webhook: 'https://example.test/h',
    secret: 'k',
  });
  assert.equal(rule.forMs, 60_000);
  assert.equal(rule.source, 'api');
  assert.deepEqual(publicRule(rule), {
    name: 'hot',
    on: 'cpu > 90%',
    for: '1m',
    webhook: 'https://example.test/h',
    secret: true,
    source: 'api',
  });
  assert.throws(() => parseRule({ name: 'x', on: 'oom' }), /no action/);
  assert.throws(() => parseRule({ name: 'bad name', on: 'oom', event: true }), /invalid alert name/);
  assert.throws(() => parseRule({ on: 'oom', event: true }), /invalid alert name/);
  assert.throws(() => parseRule({ name: 'x', event: true }), /needs a condition/);
  assert.throws(() => parseRule({ name: 'x', on: 'oom', webhook: 'ftp://h/' }), /http or https/);
  assert.throws(() => parseRule({ name: 'x', on: 'oom', webhook: 'not a url' }), /invalid webhook URL/);
  assert.throws(() => parseRule({ name: 'x', on: 'oom', exec: 'true', secret: 's' }), /give a webhook/);
  assert.throws(() => parseRule({ name: 'x', on: 'oom', event: 'yes' }), /must be a boolean/);
  assert.throws(
    () => parseRule({ name: 'x', on: 'oom', event: true, colour: 'red' }),
    /unknown alert rule field "colour"/,
  );
  assert.throws(() => parseRule([]), /must be an object/);
  assert.throws(
    () => parseRule({ name: 'x', on: 'unhealthy', for: '1m', event: true }),
    /"for" applies to cpu/,
  );
});
