import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadProject } from '../compose/load.js';
import { configHash } from './labels.js';

const load = (extra: string) =>
  loadProject({
    files: [{ path: 'c.yml', content: `services:\n  web:\n    image: busybox\n${extra}` }],
    workingDir: '/w/demo',
    env: {},
  });
const hashOf = (extra: string): string => {
  const p = load(extra);
  return configHash(p.services['web']!, p);
};

describe('configHash', () => {
  it('leaves out how many (replicas, x-polis-autoscale), keeps what shapes a container', () => {
    const plain = hashOf('');
    assert.equal(hashOf('    deploy: {replicas: 3}\n'), hashOf('    deploy: {replicas: 1}\n'));
    assert.equal(hashOf('    x-polis-autoscale: {max: 3, target_cpu_percent: 50}\n'), plain);
    assert.notEqual(hashOf('    x-other: 1\n'), plain);
    assert.notEqual(hashOf('    labels: {io.polis.compose.image-id: "sha256:1"}\n'), plain);
  });
});
