import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Spec } from '@polis/core';
import { namespacesStep } from './namespaces.js';

const bare: Spec = { ociVersion: '1.1.0' };

test('default: private pid, network, ipc, uts, mount, cgroup', () => {
  const ns = namespacesStep({ network: 'none' })(bare).linux?.namespaces;
  assert.deepEqual(ns, [
    { type: 'pid' },
    { type: 'network' },
    { type: 'ipc' },
    { type: 'uts' },
    { type: 'mount' },
    { type: 'cgroup' },
  ]);
});

test('host network leaves the network namespace out', () => {
  const ns = namespacesStep({ network: 'host' })(bare).linux?.namespaces ?? [];
  assert.ok(!ns.some((n) => n.type === 'network'));
  assert.equal(ns.length, 5);
});

test('network path joins an existing namespace', () => {
  const ns = namespacesStep({ network: { path: '/run/polis/netns/abc' } })(bare).linux?.namespaces ?? [];
  assert.deepEqual(
    ns.find((n) => n.type === 'network'),
    { type: 'network', path: '/run/polis/netns/abc' },
  );
});

test('host pid, ipc, uts and cgroup are left out; other namespace types are kept', () => {
  const spec: Spec = { ...bare, linux: { namespaces: [{ type: 'pid' }, { type: 'user' }] } };
  const ns = namespacesStep({ network: 'none', pid: 'host', ipc: 'host', uts: 'host', cgroup: 'host' })(spec)
    .linux?.namespaces;
  assert.deepEqual(ns, [{ type: 'network' }, { type: 'mount' }, { type: 'user' }]);
});

test("another container's pid and ipc namespaces are joined by path", () => {
  const ns = namespacesStep({
    network: 'none',
    pid: { path: '/proc/7/ns/pid' },
    ipc: { path: '/proc/7/ns/ipc' },
  })(bare).linux?.namespaces;
  assert.deepEqual(ns?.slice(0, 3), [
    { type: 'pid', path: '/proc/7/ns/pid' },
    { type: 'network' },
    { type: 'ipc', path: '/proc/7/ns/ipc' },
  ]);
});
