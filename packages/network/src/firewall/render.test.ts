import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderFirewall, renderPortChange } from './render.js';
import { state } from '../testing/firewall-state.js';

test('the table replaces itself atomically and is named as asked', () => {
  const text = renderFirewall('polis_test', state);
  assert.match(text, /^table ip polis_test \{\}\ndelete table ip polis_test\ntable ip polis_test \{\n/);
  assert.doesNotMatch(text, /table ip polis\b/);
});

test('published IPv4 bindings become map elements, reached for local destinations only', () => {
  const text = renderFirewall('polis', state);
  assert.match(
    text,
    /map tcp_any \{ type inet_service : ipv4_addr \. inet_service; elements = \{ 8080 : 172\.17\.0\.2 \. 80, 8443 : 172\.18\.0\.2 \. 443 \} \}/,
  );
  assert.match(
    text,
    /map udp_addr \{ type ipv4_addr \. inet_service : ipv4_addr \. inet_service; elements = \{ 127\.0\.0\.1 \. 5353 : 172\.18\.0\.2 \. 53 \} \}/,
  );
  assert.match(text, /map tcp_addr \{ type ipv4_addr \. inet_service : ipv4_addr \. inet_service; \}/);
  assert.ok(text.indexOf('map @tcp_addr') < text.indexOf('map @tcp_any'), 'one address before all addresses');
  assert.equal(text.match(/fib daddr type local jump ports/g)?.length, 2);
});

test('port changes in place: add with the target, delete by key; IPv6 bindings skipped', () => {
  assert.equal(
    renderPortChange('polis', 'add', state.ports),
    'add element ip polis tcp_any { 8080 : 172.17.0.2 . 80 }\n' +
      'add element ip polis udp_addr { 127.0.0.1 . 5353 : 172.18.0.2 . 53 }\n' +
      'add element ip polis tcp_any { 8443 : 172.18.0.2 . 443 }\n',
  );
  assert.equal(
    renderPortChange('polis', 'delete', state.ports.slice(1, 2)),
    'delete element ip polis udp_addr { 127.0.0.1 . 5353 }\n',
  );
  assert.equal(renderPortChange('polis', 'add', state.ports.slice(3)), '');
});

test('masquerade for non-internal subnets, localhost and hairpin; isolation and internal drops', () => {
  const text = renderFirewall('polis', state);
  assert.match(text, /ip saddr 172\.17\.0\.0\/16 oifname != "polis0" masquerade/);
  assert.match(text, /ip saddr 172\.18\.0\.0\/16 oifname != "pl-aaaaaaaaaaaa" masquerade/);
  assert.doesNotMatch(text, /ip saddr 10\.9\.0\.0\/24 oifname !=/);
  assert.match(text, /ct status dnat oifname @bridges fib saddr type local masquerade/);
  assert.match(text, /ct status dnat ip saddr 172\.18\.0\.0\/16 oifname "pl-aaaaaaaaaaaa" masquerade/);
  assert.match(text, /iifname "pl-bbbbbbbbbbbb" oifname != "pl-bbbbbbbbbbbb" drop/);
  assert.match(text, /oifname "pl-bbbbbbbbbbbb" iifname != "pl-bbbbbbbbbbbb" drop/);
  assert.match(text, /iifname "polis0" oifname != "polis0" oifname @bridges drop/);
  const forward = text.slice(text.indexOf('chain forward'));
  assert.ok(forward.indexOf('established,related accept') < forward.indexOf('drop'));
  assert.ok(forward.indexOf('ct status dnat accept') < forward.indexOf('oifname @bridges drop'));
});
