import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Spec } from '@polis/core';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, pathsStep } from './paths.js';

const bare: Spec = { ociVersion: '1.1.0' };

test('defaults are Docker’s masked and read-only paths', () => {
  const linux = pathsStep({ privileged: false })(bare).linux;
  assert.equal(linux?.maskedPaths?.length, 11);
  assert.ok(linux?.maskedPaths?.includes('/proc/kcore'));
  assert.ok(linux?.maskedPaths?.includes('/sys/devices/virtual/powercap'));
  assert.deepEqual(linux?.readonlyPaths, [...DEFAULT_READONLY_PATHS]);
  assert.deepEqual(linux?.maskedPaths, [...DEFAULT_MASKED_PATHS]);
});

test('privileged clears both lists, even when the user gave some', () => {
  const linux = pathsStep({ privileged: true, maskedPaths: ['/proc/x'] })(bare).linux;
  assert.deepEqual(linux?.maskedPaths, []);
  assert.deepEqual(linux?.readonlyPaths, []);
});

test('user lists override the defaults; an empty list clears', () => {
  const linux = pathsStep({ privileged: false, maskedPaths: ['/proc/kcore'], readonlyPaths: [] })(bare).linux;
  assert.deepEqual(linux?.maskedPaths, ['/proc/kcore']);
  assert.deepEqual(linux?.readonlyPaths, []);
});
