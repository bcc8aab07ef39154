import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mappedRoot, mappingKey, mappingsFrom, parseSubordinateIds, toHostId } from './idmap.js';

test('parseSubordinateIds reads name:start:count lines and skips the rest', () => {
  const text = '# comment\nalice:100000:65536\n\nbob:165536:10\nbroken:x:1\nzero:1:0\n1001:300000:5\n';
  assert.deepEqual(parseSubordinateIds(text), [
    { owner: 'alice', start: 100000, count: 65536 },
    { owner: 'bob', start: 165536, count: 10 },
    { owner: '1001', start: 300000, count: 5 },
  ]);
});

test('mappingsFrom lays a user’s ranges end to end from container id 0, by name or id', () => {
  const ranges = parseSubordinateIds('u:500000:10\nother:1:5\n1001:200000:100\n');
  assert.deepEqual(mappingsFrom(ranges, ['u', '1001']), [
    { containerID: 0, hostID: 200000, size: 100 },
    { containerID: 100, hostID: 500000, size: 10 },
  ]);
  assert.deepEqual(mappingsFrom(ranges, ['nobody']), []);
});

test('toHostId maps through the ranges; ids outside them land on the overflow id', () => {
  const maps = [
    { containerID: 0, hostID: 200000, size: 100 },
    { containerID: 100, hostID: 500000, size: 10 },
  ];
  assert.equal(toHostId(0, maps), 200000);
  assert.equal(toHostId(99, maps), 200099);
  assert.equal(toHostId(100, maps), 500000);
  assert.equal(toHostId(109, maps), 500009);
  assert.equal(toHostId(110, maps), 65534);
  const mappings = { uids: maps, gids: [{ containerID: 0, hostID: 300000, size: 65536 }] };
  assert.deepEqual(mappedRoot(mappings), { uid: 200000, gid: 300000 });
  assert.equal(mappingKey(mappings), '200000.300000');
});

test('toContainerId is toHostId backwards; host ids outside the maps show as the overflow id', async () => {
  const { toContainerId } = await import('./idmap.js');
  const maps = [
    { containerID: 0, hostID: 200000, size: 100 },
    { containerID: 100, hostID: 500000, size: 10 },
  ];
  assert.equal(toContainerId(200000, maps), 0);
  assert.equal(toContainerId(500009, maps), 109);
  assert.equal(toContainerId(0, maps), 65534);
  for (const id of [0, 42, 99, 100, 109]) assert.equal(toContainerId(toHostId(id, maps), maps), id);
});
