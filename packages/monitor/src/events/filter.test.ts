import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DockerEvent } from './event.js';
import { eventMatches, validateEventFilters } from './filter.js';

const event = (Type: DockerEvent['Type'], ID: string, name: string): DockerEvent => ({
  Type,
  Action: 'create',
  Actor: { ID, Attributes: { name } },
  scope: 'local',
  time: 0,
  timeNano: 0,
});

test('network filters match network events by id prefix or name', () => {
  validateEventFilters({ network: ['front'] });
  const net = event('network', 'abcdef0123', 'front');
  assert.equal(eventMatches(net, { network: ['front'] }), true);
  assert.equal(eventMatches(net, { network: ['abcdef'] }), true);
  assert.equal(eventMatches(net, { network: ['back'] }), false);
  assert.equal(eventMatches(event('container', 'abcdef0123', 'front'), { network: ['front'] }), false);
  assert.throws(() => validateEventFilters({ bogus: ['x'] }), /invalid filter 'bogus'/);
});
