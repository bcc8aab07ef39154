import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conmonArgs } from './conmon.js';
import { OciRuntime } from './runtime.js';

const options = (runtime: OciRuntime) => ({
  conmonPath: 'conmon',
  runtime,
  id: 'abc',
  name: 'web',
  bundle: '/b',
  exitDir: '/e',
  socketDir: '/s',
  logPath: '/l',
  logMaxSize: 0,
  pidFile: '/p',
  conmonPidFile: '/c',
  runtimeLog: '/r',
  persistDir: '/d',
});

test('the systemd cgroup driver: --systemd-cgroup for the runtime (through conmon) and for conmon', () => {
  const systemd = new OciRuntime('crun', '/usr/bin/crun', '/run/x', true);
  assert.ok(systemd.globalArgs().includes('--systemd-cgroup'));
  const args = conmonArgs(options(systemd));
  assert.ok(args.includes('--systemd-cgroup'));
  assert.ok(args.join(' ').includes('--runtime-arg --systemd-cgroup'));
  const cgroupfs = new OciRuntime('crun', '/usr/bin/crun', '/run/x');
  assert.ok(!cgroupfs.globalArgs().includes('--systemd-cgroup'));
  assert.ok(!conmonArgs(options(cgroupfs)).includes('--systemd-cgroup'));
});
