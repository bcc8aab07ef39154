import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proc } from '@polis/core';
import { renderFirewall, type FirewallState } from './render.js';

const state: FirewallState = {
  networks: [
    { bridge: 'polis0', subnet: '172.17.0.0/16', internal: false },
    { bridge: 'pl-aaaaaaaaaaaa', subnet: '172.18.0.0/16', internal: false },
    { bridge: 'pl-bbbbbbbbbbbb', subnet: '10.9.0.0/24', internal: true },
  ],
  ports: [
    { protocol: 'tcp', hostIp: '', hostPort: 8080, containerIp: '172.17.0.2', containerPort: 80 },
    { protocol: 'udp', hostIp: '127.0.0.1', hostPort: 5353, containerIp: '172.18.0.2', containerPort: 53 },
    { protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8443, containerIp: '172.18.0.2', containerPort: 443 },
    { protocol: 'tcp', hostIp: '::', hostPort: 8080, containerIp: '172.17.0.2', containerPort: 80 },
  ],
};

test('the table replaces itself atomically and is named as asked', () => {
  const text = renderFirewall('polis_test', state);
  assert.match(text, /^table ip polis_test \{\}\ndelete table ip polis_test\ntable ip polis_test \{\n/);
  assert.doesNotMatch(text, /table ip polis\b/);
});

test('one DNAT per published IPv4 binding, reached for local destinations only', () => {
  const text = renderFirewall('polis', state);
  const dnat = text.split('\n').filter((l) => l.includes('dnat to'));
  assert.deepEqual(
    dnat.map((l) => l.trim()),
    [
      'tcp dport 8080 dnat to 172.17.0.2:80',
      'ip daddr 127.0.0.1 udp dport 5353 dnat to 172.18.0.2:53',
      'tcp dport 8443 dnat to 172.18.0.2:443',
    ],
  );
  assert.equal(text.match(/fib daddr type local jump ports/g)?.length, 2);
});

test('masquerade for non-internal subnets, localhost and hairpin; isolation and internal drops', () => {
  const text = renderFirewall('polis', state);
  assert.match(text, /ip saddr 172\.17\.0\.0\/16 oifname != "polis0" masquerade/);
  assert.match(text, /ip saddr 172\.18\.0\.0\/16 oifname != "pl-aaaaaaaaaaaa" masquerade/);
  assert.doesNotMatch(text, /ip saddr 10\.9\.0\.0\/24/);
  assert.match(text, /ct status dnat oifname @bridges fib saddr type local masquerade/);
  assert.match(text, /ct status dnat iifname "pl-aaaaaaaaaaaa" oifname "pl-aaaaaaaaaaaa" masquerade/);
  assert.match(text, /iifname "pl-bbbbbbbbbbbb" oifname != "pl-bbbbbbbbbbbb" drop/);
  assert.match(text, /oifname "pl-bbbbbbbbbbbb" iifname != "pl-bbbbbbbbbbbb" drop/);
  assert.match(text, /iifname "polis0" oifname != "polis0" oifname @bridges drop/);
  const forward = text.slice(text.indexOf('chain forward'));
  assert.ok(forward.indexOf('established,related accept') < forward.indexOf('drop'));
  assert.ok(forward.indexOf('ct status dnat accept') < forward.indexOf('oifname @bridges drop'));
});

test('nft accepts the text (check mode, nothing applied), with and without networks', async () => {
  await proc.run('nft', ['-c', '-f', '-'], { input: renderFirewall('polis_check', state) });
  await proc.run('nft', ['-c', '-f', '-'], {
    input: renderFirewall('polis_check', { networks: [], ports: [] }),
  });
});
