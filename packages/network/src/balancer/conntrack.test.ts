import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOpen, openTo, parseConntrack, staleTo } from './conntrack.js';

const TEXT = [
  'ipv4     2 tcp      6 431999 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 sport=40000 dport=8080 src=10.1.0.3 dst=10.1.0.1 sport=80 dport=40000 [ASSURED] mark=0 zone=0 use=2',
  'ipv4     2 tcp      6 119 TIME_WAIT src=127.0.0.1 dst=127.0.0.1 sport=40001 dport=8080 src=10.1.0.3 dst=10.1.0.1 sport=80 dport=40001 [ASSURED] mark=0 zone=0 use=2',
  'ipv4     2 tcp      6 60 SYN_SENT src=10.1.0.9 dst=10.1.0.3 sport=40002 dport=80 [UNREPLIED] src=10.1.0.3 dst=10.1.0.9 sport=80 dport=40002 mark=0 zone=0 use=2',
  'ipv4     2 tcp      6 8 CLOSE src=127.0.0.1 dst=127.0.0.1 sport=40003 dport=8080 src=10.1.0.3 dst=10.1.0.1 sport=80 dport=40003 [ASSURED] mark=0 zone=0 use=2',
  'ipv4     2 tcp      6 117 SYN_SENT src=127.0.0.1 dst=127.0.0.1 sport=40004 dport=8080 [UNREPLIED] src=10.1.0.3 dst=10.1.0.1 sport=80 dport=40004 mark=0 zone=0 use=2',
  'ipv4     2 tcp      6 9 CLOSE src=127.0.0.1 dst=127.0.0.1 sport=40005 dport=8080 src=127.0.0.1 dst=127.0.0.1 sport=8080 dport=40005 [ASSURED] mark=0 zone=0 use=2',
  'ipv4     2 udp      17 29 src=127.0.0.1 dst=127.0.0.1 sport=5000 dport=5353 src=10.1.0.4 dst=10.1.0.1 sport=53 dport=5000 mark=0 zone=0 use=2',
  'ipv4     2 unknown  2 568 src=172.18.0.1 dst=224.0.0.22 [UNREPLIED] src=224.0.0.22 dst=172.18.0.1 mark=0 zone=0 use=2',
  'ipv6     10 tcp      6 10 ESTABLISHED src=::1 dst=::1 sport=1 dport=2 src=::1 dst=::1 sport=2 dport=1 mark=0 zone=0 use=2',
].join('\n');

test('parses the original and reply tuples of IPv4 TCP and UDP entries', () => {
  const flows = parseConntrack(TEXT);
  assert.equal(flows.length, 7);
  assert.deepEqual(flows[0], {
    protocol: 'tcp',
    state: 'ESTABLISHED',
    origDst: '127.0.0.1',
    origDport: 8080,
    replySrc: '10.1.0.3',
    replySport: 80,
  });
  assert.equal(flows[6]!.state, '');
});

test('open connections to a backend: DNAT-ed ones of the frontend, not closing ones, not direct ones', () => {
  const flows = parseConntrack(TEXT);
  // ESTABLISHED and SYN_SENT (a connection being set up): not TIME_WAIT, not CLOSE.
  assert.equal(openTo(flows, 'tcp', 8080, { ip: '10.1.0.3', port: 80 }), 2);
  assert.equal(openTo(flows, 'tcp', 8080, { ip: '10.1.0.4', port: 80 }), 0);
  assert.equal(openTo(flows, 'udp', 5353, { ip: '10.1.0.4', port: 53 }), 1);
  assert.equal(isOpen(flows[1]!), false, 'TIME_WAIT is over');
  // A direct connection to the backend (not through the frontend) is not the balancer's.
  assert.equal(openTo(flows, 'tcp', 80, { ip: '10.1.0.3', port: 80 }), 0);
});

test('stale flows of a backend that left: idle ones keep what may carry data, all takes every one', () => {
  const flows = parseConntrack(TEXT);
  const states = (fs: { state: string }[]): string[] => fs.map((f) => f.state);
  const b = { ip: '10.1.0.3', port: 80 };
  // TIME_WAIT is left to the kernel, which replaces it when a new SYN comes on its tuple.
  assert.deepEqual(states(staleTo(flows, 'tcp', 8080, b, 'idle')), ['CLOSE', 'SYN_SENT']);
  assert.deepEqual(states(staleTo(flows, 'tcp', 8080, b, 'all')), [
    'ESTABLISHED',
    'TIME_WAIT',
    'CLOSE',
    'SYN_SENT',
  ]);
  // Not through the frontend (a direct connection), nor another backend's, nor the host's own listener.
  assert.deepEqual(staleTo(flows, 'tcp', 80, b, 'all'), []);
  assert.deepEqual(staleTo(flows, 'tcp', 8080, { ip: '10.1.0.4', port: 80 }, 'all'), []);
  assert.equal(
    staleTo(flows, 'udp', 5353, { ip: '10.1.0.4', port: 53 }, 'idle').length,
    1,
    'UDP: every flow',
  );
});

test('a filter reads only the lines of one frontend port (and backend address)', () => {
  assert.equal(parseConntrack(TEXT, { port: 8080 }).length, 5);
  const b = parseConntrack(TEXT, { port: 8080, ip: '10.1.0.3' });
  assert.deepEqual(
    b.map((f) => f.state),
    ['ESTABLISHED', 'TIME_WAIT', 'CLOSE', 'SYN_SENT'],
  );
  // 10.1.0.3 is not 10.1.0.30: the address is matched whole.
  assert.deepEqual(
    parseConntrack(TEXT.replaceAll('10.1.0.3 ', '10.1.0.30 '), { port: 8080, ip: '10.1.0.3' }),
    [],
  );
  assert.deepEqual(parseConntrack(TEXT, { port: 5353 }).length, 1);
});
