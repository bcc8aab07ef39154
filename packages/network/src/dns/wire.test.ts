import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TYPE_A, UDP_MAX, answer, failure, ipv4Rdata, parseQuery, ptrAddress, ptrRdata } from './wire.js';
import { parseUpstream } from './upstream.js';

/** A query written by hand, independent of the code under test. */
function query(name: string, type: number, id = 0x1234, extra: Buffer = Buffer.alloc(0)): Buffer {
  const labels = name
    .split('.')
    .filter(Boolean)
    .map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const head = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const tail = Buffer.from([0, type >> 8, type & 0xff, 0, 1]);
  return Buffer.concat([head, ...labels, tail, extra]);
}

test('parseQuery reads the question, lower-cased, and keeps its raw bytes', () => {
  const p = parseQuery(query('Web.Example', TYPE_A));
  assert.equal(p.kind, 'query');
  assert.ok(p.kind === 'query');
  assert.equal(p.question.name, 'web.example');
  assert.equal(p.question.type, TYPE_A);
  assert.equal(p.question.id, 0x1234);
  assert.equal(p.question.raw.toString('latin1', 1, 4), 'Web');
});

test('parseQuery drops responses and runts, answers FORMERR and NOTIMP to bad queries', () => {
  assert.equal(parseQuery(Buffer.alloc(5)).kind, 'drop');
  const response = query('a', TYPE_A);
  response[2]! |= 0x80;
  assert.equal(parseQuery(response).kind, 'drop');

  const rcodeOf = (msg: Buffer): number => {
    const p = parseQuery(msg);
    assert.equal(p.kind, 'error');
    assert.ok(p.kind === 'error');
    assert.equal(p.reply.readUInt16BE(0), 0x1234);
    assert.ok(p.reply[2]! & 0x80, 'QR set');
    return p.reply[3]! & 0xf;
  };
  const full = query('web', TYPE_A);
  assert.equal(rcodeOf(full.subarray(0, full.length - 2)), 1, 'truncated question');
  assert.equal(
    rcodeOf(Buffer.concat([full.subarray(0, 12), Buffer.from([40, 1, 2])])),
    1,
    'label past the end',
  );
  const pointer = Buffer.concat([full.subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
  assert.equal(rcodeOf(pointer), 1, 'compression pointer in the question');
  const two = Buffer.from(full);
  two[5] = 2;
  assert.equal(rcodeOf(two), 1, 'two questions');
  const update = Buffer.from(full);
  update[2] = 5 << 3;
  assert.equal(rcodeOf(update), 4, 'opcode UPDATE');
});

test('answer writes authoritative A records after the echoed question', () => {
  const p = parseQuery(query('WEB', TYPE_A, 7));
  assert.ok(p.kind === 'query');
  const r = answer(p.question, [ipv4Rdata('10.1.2.3')], 600);
  assert.equal(r.readUInt16BE(0), 7);
  assert.equal(r.readUInt16BE(2), 0x8000 | 0x0400 | 0x0100 | 0x0080, 'QR AA RD RA, NOERROR');
  assert.deepEqual(
    [r.readUInt16BE(4), r.readUInt16BE(6), r.readUInt16BE(8), r.readUInt16BE(10)],
    [1, 1, 0, 0],
  );
  const rr = 12 + p.question.raw.length;
  assert.equal(r.toString('latin1', 13, 16), 'WEB');
  assert.equal(r.readUInt16BE(rr), 0xc00c);
  assert.equal(r.readUInt32BE(rr + 6), 600);
  assert.deepEqual([...r.subarray(rr + 12)], [10, 1, 2, 3]);
});

test('answer over UDP cuts at 512 bytes and sets TC', () => {
  const p = parseQuery(query('many', TYPE_A));
  assert.ok(p.kind === 'query');
  const ips = Array.from({ length: 40 }, (_, i) => `10.0.0.${i}`);
  const r = answer(p.question, ips.map(ipv4Rdata), 600, UDP_MAX);
  assert.ok(r.length <= UDP_MAX);
  assert.ok(r[2]! & 0x02, 'TC set');
  assert.equal(r.readUInt16BE(6), Math.floor((UDP_MAX - 12 - p.question.raw.length) / 16));
  assert.equal(answer(p.question, ips.map(ipv4Rdata), 600)[2]! & 0x02, 0, 'no TC over TCP');
});

test('failure repeats the question with the rcode', () => {
  const p = parseQuery(query('x', TYPE_A));
  assert.ok(p.kind === 'query');
  const r = failure(p.question, 2);
  assert.equal(r[3]! & 0xf, 2);
  assert.equal(r.readUInt16BE(4), 1);
  assert.deepEqual(r.subarray(12), p.question.raw);
});

test('PTR names and data', () => {
  assert.equal(ptrAddress('4.0.18.172.in-addr.arpa'), '172.18.0.4');
  assert.equal(ptrAddress('4.0.18.300.in-addr.arpa'), undefined);
  assert.equal(ptrAddress('web'), undefined);
  assert.deepEqual([...ptrRdata('web.net.').data], [3, 119, 101, 98, 3, 110, 101, 116, 0]);
});

test('upstream addresses', () => {
  assert.deepEqual(parseUpstream('10.0.0.1'), { host: '10.0.0.1', port: 53 });
  assert.deepEqual(parseUpstream('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  assert.deepEqual(parseUpstream('[::1]:54'), { host: '::1', port: 54 });
  assert.deepEqual(parseUpstream('fe80::1'), { host: 'fe80::1', port: 53 });
  assert.equal(parseUpstream('example.com'), undefined);
  assert.equal(parseUpstream('1.2.3.4:0'), undefined);
});
