import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageRecord } from '@polis/core';
import { pruneCandidates, untilTime } from './prune.js';

function image(
  id: string,
  tags: string[],
  created: string,
  labels: Record<string, string> = {},
): ImageRecord {
  return {
    id,
    repoTags: tags,
    repoDigests: [],
    manifestDigest: id,
    config: {
      os: 'linux',
      architecture: 'amd64',
      rootfs: { type: 'layers', diff_ids: [] },
      config: { Labels: labels },
    },
    size: 0,
    created,
    chainIds: [],
  };
}

const images = [
  image('a', [], '2026-01-01T00:00:00Z'),
  image('b', ['docker.io/library/b:latest'], '2026-01-01T00:00:00Z', { keep: 'yes' }),
  image('c', [], '2026-11-01T00:00:00Z', { keep: 'yes' }),
  image('d', [], '2026-01-01T00:00:00Z'),
];
const unused = (id: string): boolean => id === 'd';

test('prune takes dangling unused images; all (or dangling=false) takes tagged ones too', () => {
  assert.deepEqual(
    pruneCandidates(images, { inUse: unused }).map((i) => i.id),
    ['a', 'c'],
  );
  assert.deepEqual(
    pruneCandidates(images, { inUse: unused, all: true }).map((i) => i.id),
    ['a', 'b', 'c'],
  );
  assert.deepEqual(
    pruneCandidates(images, { inUse: unused, filters: { dangling: ['false'] } }).map((i) => i.id),
    ['a', 'b', 'c'],
  );
});

test('prune filters: until and labels', () => {
  const now = Date.parse('2026-11-27T00:00:00Z');
  const opts = { inUse: unused, all: true };
  assert.deepEqual(
    pruneCandidates(images, { ...opts, filters: { until: ['2026-06-01T00:00:00Z'] } }, now).map((i) => i.id),
    ['a', 'b'],
  );
  assert.deepEqual(
    pruneCandidates(images, { ...opts, filters: { label: ['keep=yes'] } }).map((i) => i.id),
    ['b', 'c'],
  );
  assert.deepEqual(
    pruneCandidates(images, { ...opts, filters: { 'label!': ['keep'] } }).map((i) => i.id),
    ['a'],
  );
  assert.equal(untilTime('24h', now), now - 86_400_000);
  assert.throws(
    () => pruneCandidates(images, { inUse: unused, filters: { bogus: ['x'] } }),
    /invalid filter/,
  );
});
