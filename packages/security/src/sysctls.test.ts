import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Spec } from '@polis/core';
import { checkSysctls, sysctlStep } from './sysctls.js';

const bare: Spec = { ociVersion: '1.0.2', linux: {} };

describe('sysctls', () => {
  it('sets namespaced parameters in linux.sysctl', () => {
    const sysctls = {
      'net.ipv4.ip_forward': '1',
      'kernel.shmmax': '1000',
      'fs.mqueue.msg_max': '20',
      'kernel.sem': '1 2 3 4',
    };
    assert.deepEqual(sysctlStep(sysctls, { hostNetwork: false })(bare).linux?.sysctl, sysctls);
  });

  it('refuses a parameter of the host kernel, and net.* on the host network', () => {
    assert.throws(() => checkSysctls({ 'kernel.pid_max': '1' }, { hostNetwork: false }), {
      code: 'request.invalid',
      message: 'sysctl "kernel.pid_max" is not in a separate kernel namespace',
    });
    assert.throws(() => checkSysctls({ 'vm.swappiness': '1' }, { hostNetwork: false }), {
      code: 'request.invalid',
    });
    assert.throws(() => checkSysctls({ 'net.ipv4.ip_forward': '1' }, { hostNetwork: true }), {
      message: 'sysctl "net.ipv4.ip_forward" not allowed in host network namespace',
    });
    checkSysctls({ 'kernel.msgmax': '1' }, { hostNetwork: true });
  });

  it("follows the IPC and UTS namespaces: kernel.domainname is the container's own, kernel.hostname never", () => {
    checkSysctls({ 'kernel.domainname': 'x' }, { hostNetwork: false });
    assert.throws(() => checkSysctls({ 'kernel.domainname': 'x' }, { hostNetwork: false, hostUts: true }), {
      message: 'sysctl "kernel.domainname" is not in a separate kernel namespace',
    });
    assert.throws(() => checkSysctls({ 'kernel.hostname': 'x' }, { hostNetwork: false }), {
      message: 'sysctl "kernel.hostname" is not allowed as it conflicts with the OCI "hostname" field',
    });
    assert.throws(() => checkSysctls({ 'kernel.shmmax': '1' }, { hostNetwork: false, hostIpc: true }), {
      message: 'sysctl "kernel.shmmax" is not allowed in the hosts ipc namespace',
    });
  });

  it('leaves the spec alone without sysctls', () => {
    assert.equal(sysctlStep(undefined, { hostNetwork: true })(bare), bare);
  });
});
