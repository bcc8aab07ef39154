import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPolisError } from '@polis/core/errors';
import { PolisClient } from './client.js';
import { eventTimeParam } from './events.js';
import type { Event } from './types/event.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function withServer(handler: Handler, fn: (client: PolisClient) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polis-sdk-ev-'));
  const sock = join(dir, 'd.sock');
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(sock, r));
  const client = new PolisClient({ host: `unix://${sock}` });
  try {
    await fn(client);
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

function event(action: string, id: string, timeNano: number): Event {
  return {
    status: action,
    id,
    from: 'busybox',
    Type: 'container',
    Action: action,
    Actor: { ID: id, Attributes: { image: 'busybox', name: 'x' } },
    scope: 'local',
    time: Math.floor(timeNano / 1e9),
    timeNano,
  };
}

test('events: sends since/until/filters and parses lines split across chunks', async () => {
  let url = '';
  const a = JSON.stringify(event('create', 'abc', 1_700_000_000_123_456_700));
  const b = JSON.stringify(event('start', 'abc', 1_700_000_001_000_000_000));
  await withServer(
    (req, res) => {
      url = req.url ?? '';
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${a}\n${b.slice(0, 10)}`);
      setTimeout(() => res.end(`${b.slice(10)}\n`), 20);
    },
    async (client) => {
      const seen: Event[] = [];
      const stream = client.events({
        since: new Date(1_700_000_000_500),
        until: 1_700_000_010,
        filters: { event: ['create', 'start'], container: ['x'] },
      });
      for await (const e of stream) seen.push(e);
      assert.deepEqual(
        seen.map((e) => [e.Action, e.Actor.ID, String(e.timeNano)]),
        [
          ['create', 'abc', '1700000000123456800'],
          ['start', 'abc', '1700000001000000000'],
        ],
      );
      const q = new URL(url, 'http://x').searchParams;
      assert.equal(q.get('since'), '1700000000.500000000');
      assert.equal(q.get('until'), '1700000010');
      assert.deepEqual(JSON.parse(q.get('filters') as string), {
        event: { create: true, start: true },
        container: { x: true },
      });
    },
  );
});

test('events: close() ends a live stream without an error, and the request is gone', async () => {
  let closedByClient: Promise<void> | undefined;
  await withServer(
    (_req, res) => {
      closedByClient = new Promise((r) => res.on('close', () => r()));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${JSON.stringify(event('start', 'live', 1_700_000_000_000_000_000))}\n`);
    },
    async (client) => {
      const stream = client.events();
      await stream.ready;
      const seen: string[] = [];
      for await (const e of stream) {
        seen.push(e.Actor.ID);
        setTimeout(() => stream.close(), 10);
      }
      assert.deepEqual(seen, ['live']);
      await closedByClient;
    },
  );
});

test('events: an abort signal ends the stream; leaving the loop early ends the request', async () => {
  const closes: Promise<void>[] = [];
  await withServer(
    (_req, res) => {
      closes.push(new Promise((r) => res.on('close', () => r())));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${JSON.stringify(event('die', 'a', 1_700_000_000_000_000_000))}\n`);
      res.write(`${JSON.stringify(event('die', 'b', 1_700_000_000_000_000_001))}\n`);
    },
    async (client) => {
      const controller = new AbortController();
      const stream = client.events({ signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      let n = 0;
      for await (const _ of stream) n++;
      assert.equal(n, 2);
      assert.equal(stream.closed, true);
      for await (const _ of client.events()) break;
      await Promise.all(closes);
      assert.equal(closes.length, 2);
    },
  );
});

test('events: a daemon error is thrown by ready and by the iteration', async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(400).end(JSON.stringify({ message: 'invalid filter "bogus"' }));
    },
    async (client) => {
      const stream = client.events({ filters: { bogus: ['1'] } });
      await assert.rejects(stream.ready, (err) => isPolisError(err) && /invalid filter/.test(err.message));
      await assert.rejects(async () => {
        for await (const _ of stream) assert.fail('no event expected');
      }, /invalid filter/);
    },
  );
});

test('eventTimeParam: Dates get nine fraction digits, numbers and strings pass as they are', () => {
  assert.equal(eventTimeParam(new Date(1_700_000_000_007)), '1700000000.007000000');
  assert.equal(eventTimeParam(1_700_000_000.25), '1700000000.25');
  assert.equal(eventTimeParam('10m'), '10m');
  assert.equal(eventTimeParam(undefined), undefined);
});

test('top sends ps_args; update posts the restart policy', async () => {
  const seen: { method?: string; url?: string; body: string }[] = [];
  await withServer(
    (req, res, body) => {
      seen.push({ method: req.method, url: req.url, body });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (req.url?.includes('/top'))
        res.end(JSON.stringify({ Titles: ['PID', 'CMD'], Processes: [['7', 'sleep 300']] }));
      else res.end(JSON.stringify({ Warnings: [] }));
    },
    async (client) => {
      assert.deepEqual(await client.containers.top('web', { psArgs: '-o pid,args' }), {
        Titles: ['PID', 'CMD'],
        Processes: [['7', 'sleep 300']],
      });
      assert.deepEqual(await client.containers.update('web', { RestartPolicy: { Name: 'no' } }), {
        Warnings: [],
      });
      assert.equal(seen[0]?.url, '/v1.41/containers/web/top?ps_args=-o+pid%2Cargs');
      assert.deepEqual([seen[1]?.method, seen[1]?.url], ['POST', '/v1.41/containers/web/update']);
      assert.deepEqual(JSON.parse(seen[1]?.body ?? ''), { RestartPolicy: { Name: 'no' } });
    },
  );
});
