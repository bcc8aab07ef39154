/**
 * The slice of the DNS wire format (RFC 1035) the embedded server needs: read one question from a
 * query, write answers to it. Anything else in a message is relayed as bytes, never parsed.
 */
export const TYPE_A = 1;
export const TYPE_PTR = 12;
export const TYPE_AAAA = 28;
export const CLASS_IN = 1;

export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_SERVFAIL = 2;
export const RCODE_NOTIMP = 4;

const HEADER = 12;
const FLAG_QR = 0x8000;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const FLAG_RA = 0x0080;
/** The classic UDP payload limit; a longer local answer is truncated and the client retries over TCP. */
export const UDP_MAX = 512;

export interface Question {
  id: number;
  flags: number;
  /** Lower-case, without the trailing dot ('' for the root). */
  name: string;
  type: number;
  qclass: number;
  /** The question's bytes as sent (the client's letter case kept, as 0x20-checking resolvers expect). */
  raw: Buffer;
}

/** What to do with an incoming message: nothing (not a query at all), an error reply, or answer it. */
export type Parsed =
  { kind: 'drop' } | { kind: 'error'; reply: Buffer } | { kind: 'query'; question: Question };

const DROP: Parsed = { kind: 'drop' };

export function parseQuery(msg: Buffer): Parsed {
  // Too short to hold an id, or itself a response: answering either could feed a reflection loop.
  if (msg.length < HEADER) return DROP;
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  if (flags & FLAG_QR) return DROP;
  if ((flags >> 11) & 0xf) return { kind: 'error', reply: header(id, flags, RCODE_NOTIMP, 0, 0) };
  if (msg.readUInt16BE(4) !== 1) return formerr(id, flags);
  const labels: string[] = [];
  let at = HEADER;
  for (;;) {
    if (at >= msg.length) return formerr(id, flags);
    const len = msg[at++]!;
    if (len === 0) break;
    // A compression pointer cannot point anywhere useful from the first question; longer labels are reserved.
    if (len > 63 || at + len > msg.length || at - HEADER > 255) return formerr(id, flags);
    labels.push(msg.toString('latin1', at, at + len).toLowerCase());
    at += len;
  }
  if (at + 4 > msg.length) return formerr(id, flags);
  const question: Question = {
    id,
    flags,
    name: labels.join('.'),
    type: msg.readUInt16BE(at),
    qclass: msg.readUInt16BE(at + 2),
    raw: msg.subarray(HEADER, at + 4),
  };
  return { kind: 'query', question };
}

function formerr(id: number, flags: number): Parsed {
  return { kind: 'error', reply: header(id, flags, RCODE_FORMERR, 0, 0) };
}

function header(id: number, queryFlags: number, rcode: number, qd: number, an: number, extra = 0): Buffer {
  const buf = Buffer.alloc(HEADER);
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(FLAG_QR | (queryFlags & FLAG_RD) | FLAG_RA | extra | rcode, 2);
  buf.writeUInt16BE(qd, 4);
  buf.writeUInt16BE(an, 6);
  return buf;
}

/** One resource record's data; its owner is always the question's name (a pointer to offset 12). */
export interface Rdata {
  type: number;
  data: Buffer;
}

/**
 * An authoritative answer to `q`. Over UDP the answer is cut to `maxSize` with TC set, so the
 * client asks again over TCP instead of getting a partial set it believes complete.
 */
export function answer(q: Question, records: Rdata[], ttl: number, maxSize = 0xffff): Buffer {
  const parts: Buffer[] = [];
  let size = HEADER + q.raw.length;
  let truncated = false;
  for (const r of records) {
    const rr = Buffer.alloc(12 + r.data.length);
    rr.writeUInt16BE(0xc000 | HEADER, 0);
    rr.writeUInt16BE(r.type, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(r.data.length, 10);
    r.data.copy(rr, 12);
    if (size + rr.length > maxSize) {
      truncated = true;
      break;
    }
    parts.push(rr);
    size += rr.length;
  }
  const head = header(q.id, q.flags, RCODE_NOERROR, 1, parts.length, FLAG_AA | (truncated ? FLAG_TC : 0));
  return Buffer.concat([head, q.raw, ...parts], size);
}

/** An error reply that repeats the question (resolvers drop replies whose question does not match). */
export function failure(q: Question, rcode: number): Buffer {
  return Buffer.concat([header(q.id, q.flags, rcode, 1, 0), q.raw]);
}

export function ipv4Rdata(ip: string): Rdata {
  return { type: TYPE_A, data: Buffer.from(ip.split('.').map(Number)) };
}

/** A PTR record's data: the name in uncompressed wire form, as a fully qualified name. */
export function ptrRdata(name: string): Rdata {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const parts = labels.map((l) => {
    const bytes = Buffer.from(l.slice(0, 63), 'latin1');
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  });
  return { type: TYPE_PTR, data: Buffer.concat([...parts, Buffer.from([0])]) };
}

/** `4.3.2.1.in-addr.arpa` → `1.2.3.4`; undefined for any other name. */
export function ptrAddress(name: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(name);
  if (!m) return undefined;
  const octets = [m[4], m[3], m[2], m[1]].map(Number);
  return octets.every((o) => o <= 255) ? octets.join('.') : undefined;
}
