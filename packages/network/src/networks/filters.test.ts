import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError } from '@polis/core';
import type { NetworkRecord } from '../types.js';
import { filterNetworks, parseUntil, pruneCandidates } from './filters.js';

function net(
  id: string,
  name: string,
  labels: Record<string, string> = {},
  created = '2026-01-01T00:00:00Z',
) {
  return {
    id: id.padEnd(64, '0'),
    name,
    driver: 'bridge',
    isDefault: name === 'bridge',
    subnet: '',
    gateway: '',
    internal: false,
    labels,
    options: {},
    bridge: '',
    created,
  } satisfies NetworkRecord;
}

const all = [
  net('aa', 'bridge'),
  net('ab', 'frontend', { tier: 'web', env: 'prod' }),
  net('bc', 'backend', { tier: 'db' }, '2026-06-01T00:00:00Z'),
];
const used = new Set([all[1]!.id]);
const inUse = (id: string): boolean => used.has(id);
const names = (f: Record<string, string[]>): string[] => filterNetworks(all, f, inUse).map((n) => n.name);

test('network ls filters: name substring, id prefix, driver, label, type, dangling', () => {
  assert.deepEqual(names({}), ['bridge', 'frontend', 'backend']);
  assert.deepEqual(names({ name: ['end'] }), ['frontend', 'backend']);
  assert.deepEqual(names({ name: ['front', 'back'] }), ['frontend', 'backend']);
  assert.deepEqual(names({ id: ['a'] }), ['bridge', 'frontend']);
  assert.deepEqual(names({ id: ['ab'], name: ['back'] }), [], 'keys must all hold');
  assert.deepEqual(names({ driver: ['bridge'] }).length, 3);
  assert.deepEqual(names({ driver: ['overlay'] }), []);
  assert.deepEqual(names({ label: ['tier'] }), ['frontend', 'backend']);
  assert.deepEqual(names({ label: ['tier=db'] }), ['backend']);
  assert.deepEqual(names({ label: ['tier=web', 'env=prod'] }), ['frontend']);
  assert.deepEqual(names({ label: ['tier=web', 'env=dev'] }), []);
  assert.deepEqual(names({ type: ['builtin'] }), ['bridge']);
  assert.deepEqual(names({ type: ['custom'] }), ['frontend', 'backend']);
  assert.deepEqual(names({ dangling: ['true'] }), ['backend']);
  assert.deepEqual(names({ dangling: ['0'] }), ['bridge', 'frontend']);
});

test('bad filters are invalid arguments', () => {
  const bad: Record<string, string[]>[] = [
    { nope: ['x'] },
    { type: ['weird'] },
    { dangling: ['maybe'] },
    { dangling: ['1', '0'] },
  ];
  for (const f of bad) {
    assert.throws(
      () => names(f),
      (e) => isPolisError(e, 'network.invalid'),
      JSON.stringify(f),
    );
  }
});

test('prune: unused custom networks, with until and label filters', () => {
  const prune = (f: Record<string, string[]>): string[] => pruneCandidates(all, f, inUse).map((n) => n.name);
  assert.deepEqual(prune({}), ['backend']);
  assert.deepEqual(prune({ until: ['2026-03-01T00:00:00Z'] }), []);
  assert.deepEqual(prune({ until: ['2026-07-01T00:00:00Z'] }), ['backend']);
  assert.deepEqual(prune({ 'label!': ['tier=db'] }), []);
  assert.deepEqual(prune({ label: ['tier'] }), ['backend']);
  assert.throws(
    () => prune({ name: ['x'] }),
    (e) => isPolisError(e, 'network.invalid'),
  );
});

test('until accepts timestamps, dates and durations', () => {
  const now = Date.parse('2026-01-02T00:00:00Z');
  assert.equal(parseUntil('1700000000', now), 1_700_000_000_000);
  assert.equal(parseUntil('24h', now), Date.parse('2026-01-01T00:00:00Z'));
  assert.equal(parseUntil('1h30m', now), now - 90 * 60_000);
  assert.equal(parseUntil('2026-01-01T00:00:00Z', now), Date.parse('2026-01-01T00:00:00Z'));
  assert.throws(
    () => parseUntil('soon', now),
    (e) => isPolisError(e, 'network.invalid'),
  );
});
