import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ImageRecord } from '@polis/core';
import { imageUsage } from './system-df.js';

it('counts each layer once and an image’s layers that another image has as shared', () => {
  const layers: Record<string, [string, number][]> = {
    base: [['l1', 100]],
    app: [
      ['l1', 100],
      ['l2', 30],
    ],
    other: [['l3', 7]],
  };
  const images = Object.keys(layers).map((id) => ({ id }) as ImageRecord);
  const { layersSize, shared } = imageUsage(images, (i) => new Map(layers[i.id]));
  assert.equal(layersSize, 137);
  assert.deepEqual(Object.fromEntries(shared), { base: 100, app: 100, other: 0 });
});
