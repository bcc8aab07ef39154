import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { test } from 'node:test';
import { acceptWebSocket, type WebSocketConnection } from './websocket.js';

/** A masked client frame (RFC 6455 §5.3) of OPCODE with PAYLOAD under 126 bytes. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

test('frames a client sends with its upgrade request, before anyone listens, reach every listener', async () => {
  let client: Socket | undefined;
  const accepted = new Promise<WebSocketConnection>((resolve) => {
    const server = createServer();
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const ws = acceptWebSocket(req, socket, ['v4.channel.k8s.io'], head);
      if (ws) resolve(ws.ws);
      server.close();
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      client = connect(port, '127.0.0.1', () => {
        // One write: the request and two frames, so the frames arrive in the upgrade's `head`.
        client?.write(
          Buffer.concat([
            Buffer.from(
              'GET /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
                'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
                'Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n',
            ),
            clientFrame(0x2, Buffer.from('\x00first')),
            clientFrame(0x2, Buffer.from('\x02second')),
          ]),
        );
      });
      client.on('error', () => undefined);
    });
  });
  const ws = await accepted;
  await new Promise((r) => setTimeout(r, 50));
  const seenA: string[] = [];
  const seenB: string[] = [];
  ws.onMessage((m) => seenA.push(m.toString('latin1')));
  ws.onMessage((m) => seenB.push(m.toString('latin1')));
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(seenA, ['\x00first', '\x02second']);
  assert.deepEqual(seenB, seenA);
  ws.close();
  client?.destroy();
});
