import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backendTag,
  dispatchRule,
  frontendElement,
  renderServiceChange,
  renderServiceRemoval,
  renderTable,
  serviceChain,
  type KernelService,
} from './render.js';

const id = serviceChain('shop/web/80');
const be = (c: string, ip: string, port = 80) => ({ containerId: c, ip, port, tag: backendTag(id, c) });
const web: KernelService = {
  id,
  frontend: { hostIp: '', hostPort: 8080, protocol: 'tcp' },
  backends: [be('a', '10.1.0.2'), be('b', '10.1.0.3'), be('c', '10.1.0.4')],
};

test('names are nft identifiers derived from the keys, stable and distinct', () => {
  assert.match(id, /^s_[0-9a-f]{12}$/);
  assert.equal(serviceChain('shop/web/80'), id);
  assert.notEqual(serviceChain('shop/web/81'), id);
  assert.match(backendTag(id, 'a'), /^b_[0-9a-f]{12}_[0-9a-f]{10}$/);
  assert.notEqual(backendTag(id, 'a'), backendTag(serviceChain('x'), 'a'));
});

test('frontends on every address are keyed by port alone; others by address and port', () => {
  assert.deepEqual(frontendElement(web.frontend), { map: 'fe_tcp_any', key: '8080' });
  assert.deepEqual(frontendElement({ hostIp: '0.0.0.0', hostPort: 53, protocol: 'udp' }), {
    map: 'fe_udp_any',
    key: '53',
  });
  assert.deepEqual(frontendElement({ hostIp: '10.1.0.200', hostPort: 80, protocol: 'tcp' }), {
    map: 'fe_tcp_addr',
    key: '10.1.0.200 . 80',
  });
});

test('TCP spreads by numgen round robin, UDP by a hash of the client, affinity by its address', () => {
  assert.match(
    dispatchRule(web),
    /^numgen inc mod 3 vmap \{ 0 : goto b_\w+, 1 : goto b_\w+, 2 : goto b_\w+ \}$/,
  );
  const udp = { ...web, frontend: { ...web.frontend, protocol: 'udp' as const } };
  assert.match(dispatchRule(udp), /^jhash ip saddr \. udp sport mod 3 seed 0x[0-9a-f]+ vmap/);
  const sticky = { ...web, frontend: { ...web.frontend, algorithm: 'client-affinity' as const } };
  assert.match(dispatchRule(sticky), /^jhash ip saddr mod 3 seed/);
  assert.equal(dispatchRule({ ...web, backends: [web.backends[0]!] }), `goto ${web.backends[0]!.tag}`);
  assert.equal(dispatchRule({ ...web, backends: [] }), 'reject with tcp reset');
});

test('the whole table: maps, counters carried over, a chain per backend, hooks before Polis', () => {
  const text = renderTable('polis_lb', [web], new Map([[web.backends[0]!.tag, { packets: 7, bytes: 420 }]]));
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 3), [
    'table ip polis_lb {}',
    'delete table ip polis_lb',
    'table ip polis_lb {',
  ]);
  assert.ok(
    text.includes(`map fe_tcp_any { type inet_service : verdict; elements = { 8080 : goto ${id} } }`),
  );
  assert.ok(text.includes(`counter ${web.backends[0]!.tag} { packets 7 bytes 420 }`));
  assert.ok(text.includes(`counter ${web.backends[1]!.tag} { }`));
  assert.ok(text.includes(`meta l4proto tcp counter name ${web.backends[2]!.tag} dnat to 10.1.0.4:80`));
  assert.ok(text.includes('type nat hook prerouting priority dstnat - 10;'));
  assert.ok(text.includes('type nat hook output priority -110;'));
  assert.equal((text.match(/fib daddr type local jump frontends/g) ?? []).length, 2);
  // An empty set keeps its element, and its chain refuses: the port is closed, not black-holed.
  const empty = renderTable('polis_lb', [{ ...web, backends: [] }]);
  assert.ok(empty.includes(`elements = { 8080 : goto ${id} }`));
  assert.ok(empty.includes(`chain ${id} {\n    reject with tcp reset\n  }`), empty);
  const udp = renderTable('polis_lb', [
    { ...web, frontend: { ...web.frontend, protocol: 'udp' }, backends: [] },
  ]);
  assert.ok(udp.includes(`chain ${id} {\n    reject\n  }`), udp);
});

test('a change is one transaction that swaps the dispatch rule and keeps counters of who stays', () => {
  const after = { ...web, backends: [web.backends[0]!, web.backends[2]!, be('d', '10.1.0.5')] };
  const lines = renderServiceChange('t', web, after).trim().split('\n');
  const d = after.backends[2]!.tag;
  const b = web.backends[1]!.tag;
  assert.deepEqual(lines, [
    `add counter ip t ${d}`,
    `add chain ip t ${d}`,
    `flush chain ip t ${d}`,
    `add rule ip t ${d} meta l4proto tcp counter name ${d} dnat to 10.1.0.5:80`,
    `add chain ip t ${id}`,
    `flush chain ip t ${id}`,
    `add rule ip t ${id} ${dispatchRule(after)}`,
    `flush chain ip t ${b}`,
    `delete chain ip t ${b}`,
    `delete counter ip t ${b}`,
  ]);
  // Draining: the chain goes, the counter stays until the drain ends.
  const drained = renderServiceChange(
    't',
    web,
    { ...web, backends: web.backends.slice(0, 2) },
    new Set([web.backends[2]!.tag]),
  );
  assert.ok(drained.includes(`delete chain ip t ${web.backends[2]!.tag}`));
  assert.ok(!drained.includes(`delete counter ip t ${web.backends[2]!.tag}`));
});

test('the frontend element follows the frontend: kept when the set empties (which refuses), moved with the port', () => {
  const empty = { ...web, backends: [] };
  const emptied = renderServiceChange('t', web, empty);
  assert.ok(!emptied.includes('element'), emptied);
  assert.ok(emptied.includes(`add rule ip t ${id} reject with tcp reset`), emptied);
  assert.ok(!renderServiceChange('t', empty, web).includes('element'));
  assert.ok(
    renderServiceChange('t', undefined, empty).includes(`add element ip t fe_tcp_any { 8080 : goto ${id} }`),
  );
  const moved = { ...web, frontend: { hostIp: '127.0.0.1', hostPort: 9090, protocol: 'tcp' as const } };
  const text = renderServiceChange('t', web, moved);
  assert.ok(text.includes('delete element ip t fe_tcp_any { 8080 }'));
  assert.ok(text.includes(`add element ip t fe_tcp_addr { 127.0.0.1 . 9090 : goto ${id} }`));
  assert.ok(!renderServiceChange('t', web, web).includes('element'), 'an unchanged set leaves the map alone');
});

test('removal deletes the element, every chain and every counter, draining ones too', () => {
  const text = renderServiceRemoval('t', web, ['b_old']);
  assert.ok(text.startsWith('delete element ip t fe_tcp_any { 8080 }\n'));
  for (const b of web.backends) {
    assert.ok(text.includes(`delete chain ip t ${b.tag}`));
    assert.ok(text.includes(`delete counter ip t ${b.tag}`));
  }
  assert.ok(text.includes('delete counter ip t b_old'));
  assert.ok(text.includes(`delete chain ip t ${id}`));
});
