import type { ContainerService } from '@polis/runtime';
import type { ChannelConnection } from './channel.js';
import { dialEnded, dialInPod } from './pod-dial.js';
import type { StreamSession } from './server.js';
import { serveSpdyPortForward } from './spdy-port-forward.js';

/**
 * PortForward over the websocket protocol of kubelet's streaming server (`portforward/websocket.go`):
 * per port two channels, data (2i) and error (2i+1), each opened by the server with the port as two
 * little-endian bytes; the ports are the URL's `?port=` values, else the request's. Each port is one TCP
 * connection to the pod's 127.0.0.1:PORT. Over SPDY (`portforward.k8s.io`), each stream pair the client
 * opens is a connection of its own (see spdy-port-forward.ts).
 */
export function portForwardSession(
  containers: ContainerService,
  sandboxId: string,
  requested: number[],
): StreamSession {
  return {
    kind: 'portforward',
    async serve(ws, _protocol, url) {
      const fromQuery = url.searchParams.getAll('port').map(Number);
      const ports = fromQuery.length > 0 ? fromQuery : requested;
      const pid = containers.runningPid(sandboxId);
      const ends = ports.map((port, i) => forward(ws, pid, port, i));
      await Promise.all(ends);
      ws.close();
    },
    serveSpdy(socket, head) {
      return serveSpdyPortForward(socket, head, () => containers.runningPid(sandboxId), sandboxId);
    },
  };
}

function frame(channel: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), data]);
}

async function forward(
  ws: ChannelConnection,
  pid: number | undefined,
  port: number,
  index: number,
): Promise<void> {
  const data = index * 2;
  const error = data + 1;
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16LE(port);
  ws.send(frame(data, portBytes));
  ws.send(frame(error, portBytes));
  const dial = dialInPod(pid, port);
  if (!dial.child) {
    ws.send(frame(error, Buffer.from(dial.failure)));
    return;
  }
  const child = dial.child;
  child.stdout?.on('data', (b: Buffer) => ws.send(frame(data, b)));
  ws.onMessage((msg) => {
    if (msg[0] === data && msg.length > 1) child.stdin?.write(msg.subarray(1));
  });
  ws.onClose(() => child.kill('SIGKILL'));
  const failure = await dialEnded(child, port);
  if (failure) ws.send(frame(error, Buffer.from(failure)));
}
