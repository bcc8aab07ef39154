import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError, type Spec } from '@polis/core';
import { defaultRlimitsStep, ulimitsStep } from './rlimits.js';

const bare: Spec = { ociVersion: '1.1.0' };

test('default nofile is Docker’s 1048576, capped to the host hard limit', () => {
  assert.deepEqual(defaultRlimitsStep({ RLIMIT_NOFILE: 20000 })(bare).process?.rlimits, [
    { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
  ]);
  assert.deepEqual(defaultRlimitsStep({ RLIMIT_NOFILE: Number.MAX_SAFE_INTEGER })(bare).process?.rlimits, [
    { type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 },
  ]);
  assert.equal(defaultRlimitsStep({})(bare).process?.rlimits?.[0]?.hard, 1048576);
});

test('ulimits are applied as given and replace the default of the same type', () => {
  const spec = defaultRlimitsStep({ RLIMIT_NOFILE: 20000 })(bare);
  const out = ulimitsStep([
    { name: 'nofile', soft: 1024, hard: 4096 },
    { name: 'NPROC', soft: 100, hard: 200 },
    { name: 'core', soft: 0, hard: 0 },
    { name: 'core', soft: 1, hard: 2 },
  ])(spec).process?.rlimits;
  assert.deepEqual(out, [
    { type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 },
    { type: 'RLIMIT_NPROC', soft: 100, hard: 200 },
    { type: 'RLIMIT_CORE', soft: 1, hard: 2 },
  ]);
  assert.equal(ulimitsStep([])(spec), spec);
});

test('invalid ulimits are request.invalid', () => {
  const bad = [
    { name: 'files', soft: 1, hard: 1 },
    { name: 'nofile', soft: 10, hard: 5 },
    { name: 'core', soft: -1, hard: -1 },
    { name: 'stack', soft: 1.5, hard: 2 },
  ];
  for (const u of bad) {
    assert.throws(
      () => ulimitsStep([u]),
      (e) => isPolisError(e, 'request.invalid'),
      u.name,
    );
  }
});
