import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError, type Spec } from '@polis/core';
import { noNewPrivilegesStep, parseSecurityOptions } from './security-opts.js';

test('no options: default seccomp, privileges may be gained', () => {
  assert.deepEqual(parseSecurityOptions([]), {
    noNewPrivileges: false,
    seccomp: { mode: 'default' },
    labels: [],
  });
});

test('no-new-privileges with and without a boolean', () => {
  assert.equal(parseSecurityOptions(['no-new-privileges']).noNewPrivileges, true);
  assert.equal(parseSecurityOptions(['no-new-privileges:true']).noNewPrivileges, true);
  assert.equal(
    parseSecurityOptions(['no-new-privileges=true', 'no-new-privileges=false']).noNewPrivileges,
    false,
  );
  assert.throws(
    () => parseSecurityOptions(['no-new-privileges=maybe']),
    (e) => isPolisError(e, 'request.invalid'),
  );
});

test('seccomp: unconfined, builtin and a JSON profile', () => {
  assert.deepEqual(parseSecurityOptions(['seccomp=unconfined']).seccomp, { mode: 'unconfined' });
  assert.deepEqual(parseSecurityOptions(['seccomp:unconfined']).seccomp, { mode: 'unconfined' });
  assert.deepEqual(parseSecurityOptions(['seccomp=builtin']).seccomp, { mode: 'default' });
  const custom = parseSecurityOptions(['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}']).seccomp;
  assert.deepEqual(custom, { mode: 'custom', profile: { defaultAction: 'SCMP_ACT_ALLOW' } });
});

test('seccomp given as a file path is refused: the client sends the content', () => {
  assert.throws(
    () => parseSecurityOptions(['seccomp=/etc/profile.json']),
    (e) => isPolisError(e, 'request.invalid') && e.message.includes('JSON'),
  );
});

test('apparmor and label are accepted; unknown keys and shapes are refused with the option named', () => {
  const out = parseSecurityOptions(['apparmor=unconfined', 'label=disable', 'disable']);
  assert.equal(out.apparmorProfile, 'unconfined');
  assert.deepEqual(out.labels, ['disable', 'disable']);
  assert.throws(
    () => parseSecurityOptions(['sandbox=on']),
    (e) =>
      isPolisError(e, 'request.invalid') &&
      e.message.includes('"sandbox=on"') &&
      e.message.includes('sandbox'),
  );
  assert.throws(
    () => parseSecurityOptions(['whatever']),
    (e) => isPolisError(e, 'request.invalid'),
  );
});

test('noNewPrivilegesStep sets the process flag', () => {
  const bare: Spec = { ociVersion: '1.1.0' };
  assert.equal(noNewPrivilegesStep(true)(bare).process?.noNewPrivileges, true);
  assert.equal(noNewPrivilegesStep(false)(bare).process?.noNewPrivileges, false);
});
