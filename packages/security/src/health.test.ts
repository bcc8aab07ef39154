import assert from 'node:assert/strict';
import { it } from 'node:test';
import { cgroupControllers, seccompCheck } from './health.js';

it('cgroup controllers are read from v2 or v1 and the missing ones named', () => {
  assert.equal(cgroupControllers('cpuset cpu io memory pids\n', undefined).status, 'healthy');
  const v1 = '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t3\t1\t1\nmemory\t4\t1\t1\npids\t5\t1\t0\n';
  const r = cgroupControllers(undefined, v1);
  assert.equal(r.status, 'unhealthy');
  assert.match(r.message, /missing: pids$/);
});

it('seccomp is found in /proc/self/status', () => {
  assert.equal(seccompCheck('Name:\tnode\nSeccomp:\t0\n').status, 'healthy');
});
