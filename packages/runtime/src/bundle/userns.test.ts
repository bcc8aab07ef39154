import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Spec } from '@polis/core';
import { withUserNamespace } from './userns.js';

test('withUserNamespace adds one user namespace and the maps, keeping the other namespaces', () => {
  const mappings = {
    uids: [{ containerID: 0, hostID: 100000, size: 65536 }],
    gids: [{ containerID: 0, hostID: 200000, size: 65536 }],
  };
  const base = { ociVersion: '1.0.2', linux: { namespaces: [{ type: 'pid' }, { type: 'user' }] } } as Spec;
  const spec = withUserNamespace(mappings)(base);
  assert.deepEqual(spec.linux?.namespaces, [{ type: 'pid' }, { type: 'user' }]);
  assert.deepEqual(spec.linux?.uidMappings, mappings.uids);
  assert.deepEqual(spec.linux?.gidMappings, mappings.gids);
  assert.deepEqual(base.linux?.namespaces?.length, 2, 'the input spec is not changed');
});
