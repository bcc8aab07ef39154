import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { probeCgroupSupport } from './cgroup-support.js';

const tmp = mkdtempSync(join(tmpdir(), 'polis-support-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const root = join(tmp, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('what the host cgroups enforce (generated trees)', () => {
  it('v2: the root controllers, swap from a child, cpus and mems from the effective lists', () => {
    const root = tree('v2', {
      'cgroup.controllers': 'cpuset cpu io memory pids\n',
      'cpuset.cpus.effective': '0-3\n',
      'cpuset.mems.effective': '0\n',
      'init.scope/memory.max': 'max\n',
      'init.scope/memory.swap.max': 'max\n',
    });
    const s = probeCgroupSupport(root);
    assert.equal(s.memoryLimit && s.swapLimit && s.cpuCfs && s.cpuShares && s.pidsLimit && s.cpuset, true);
    assert.equal(s.blkioWeight && s.blkioReadBps, true);
    assert.equal(s.memorySwappiness || s.oomKillDisable || s.cpuRealtime, false, 'v2 has none of these');
    assert.equal(s.cpus, '0-3');
    assert.equal(s.mems, '0');
  });

  it('v2 without swap accounting, io or pids', () => {
    const root = tree('v2-min', {
      'cgroup.controllers': 'cpu memory\n',
      'init.scope/memory.max': 'max\n',
    });
    const s = probeCgroupSupport(root);
    assert.equal(s.memoryLimit, true);
    assert.equal(s.swapLimit, false);
    assert.equal(s.blkioWeight || s.pidsLimit || s.cpuset, false);
  });

  it('v1/hybrid: the files of each hierarchy (no BFQ weight, no memsw, real-time present)', () => {
    const root = tree('v1', {
      'memory/memory.limit_in_bytes': '',
      'memory/memory.soft_limit_in_bytes': '',
      'memory/memory.swappiness': '',
      'memory/memory.oom_control': '',
      'cpu/cpu.shares': '',
      'cpu/cpu.cfs_quota_us': '',
      'cpu/cpu.cfs_period_us': '',
      'cpu/cpu.rt_runtime_us': '950000',
      'cpu/polis/cpu.rt_runtime_us': '0',
      'cpuset/cpuset.cpus': '0-1\n',
      'cpuset/cpuset.mems': '0\n',
      'pids/cgroup.procs': '',
      'blkio/blkio.throttle.read_bps_device': '',
      'unified/cgroup.controllers': '',
    });
    const s = probeCgroupSupport(root);
    assert.equal(s.memoryLimit && s.memoryReservation && s.memorySwappiness && s.oomKillDisable, true);
    assert.equal(s.swapLimit, false);
    assert.equal(s.cpuShares && s.cpuCfs && s.pidsLimit && s.cpuset && s.cpuRealtime, true);
    assert.equal(s.realtimeRuntimeForContainers, 0);
    assert.equal(s.blkioWeight, false);
    assert.equal(s.blkioReadBps, true);
    assert.equal(s.blkioWriteBps, false);
    assert.equal(s.cpus, '0-1');
  });
});
