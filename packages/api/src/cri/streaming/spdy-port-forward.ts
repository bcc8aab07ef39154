import type { Duplex } from 'node:stream';
import { dialEnded, dialInPod } from './pod-dial.js';
import { SpdyConnection } from './spdy-connection.js';

/** How long the second stream of a pair may take (kubelet's stream creation timeout). */
const PAIR_TIMEOUT_MS = 30_000;

interface Pair {
  port?: number;
  data?: number;
  error?: number;
  timer: NodeJS.Timeout;
}

/**
 * kubelet's SPDY port forwarding (`portforward/httpstream.go`, protocol `portforward.k8s.io`): the client
 * opens an error stream and a data stream per forwarded connection, both with `port` and `requestID`
 * headers (old clients without requestID: the error stream's id, or the data stream's id - 2). When both
 * are open the pod's 127.0.0.1:PORT is dialled and the data stream carries the bytes; a failure is
 * written to the error stream, then both are closed. Resolves when the client closes the connection.
 */
export function serveSpdyPortForward(
  socket: Duplex,
  head: Buffer,
  pidOf: () => number | undefined,
  sandboxId: string,
): Promise<void> {
  const pairs = new Map<string, Pair>();
  const inputs = new Map<number, (data: Buffer, fin: boolean) => void>();
  const stops = new Set<() => void>();
  let conn: SpdyConnection | undefined = undefined;

  const fail = (pair: Pair, message: string): void => {
    if (pair.error !== undefined) conn?.write(pair.error, Buffer.from(message));
    for (const id of [pair.error, pair.data]) if (id !== undefined) conn?.end(id);
  };

  const forward = (pair: Pair, port: number, data: number, error: number): void => {
    const dial = dialInPod(pidOf(), port);
    const prefix = `error forwarding port ${port} to pod ${sandboxId}`;
    if (!dial.child) {
      fail(pair, `${prefix}: ${dial.failure}`);
      return;
    }
    const child = dial.child;
    const stop = (): void => void child.kill('SIGKILL');
    stops.add(stop);
    child.stdout?.on('data', (b: Buffer) => conn?.write(data, b));
    inputs.set(data, (bytes, fin) => {
      if (bytes.length > 0) child.stdin?.write(bytes);
      if (fin) child.stdin?.end();
    });
    void dialEnded(child, port).then((failure) => {
      stops.delete(stop);
      inputs.delete(data);
      if (failure) conn?.write(error, Buffer.from(`${prefix}: ${failure}`));
      conn?.end(data);
      conn?.end(error);
    });
  };

  conn = new SpdyConnection(
    socket,
    {
      onStream(id, headers) {
        const type = headers.get('streamtype');
        const portText = headers.get('port') ?? '';
        const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
        if ((type !== 'data' && type !== 'error') || port < 1 || port > 65535) {
          conn?.reset(id);
          return;
        }
        const requestId = headers.get('requestid') ?? String(type === 'error' ? id : id - 2);
        let pair = pairs.get(requestId);
        if (!pair) {
          const created: Pair = {
            timer: setTimeout(() => {
              pairs.delete(requestId);
              fail(created, `timed out waiting for the streams of request ${requestId}`);
            }, PAIR_TIMEOUT_MS),
          };
          created.timer.unref();
          pairs.set(requestId, created);
          pair = created;
        }
        if (pair[type] !== undefined) {
          conn?.reset(id);
          return;
        }
        pair[type] = id;
        pair.port ??= port;
        if (pair.data !== undefined && pair.error !== undefined) {
          clearTimeout(pair.timer);
          pairs.delete(requestId);
          forward(pair, pair.port, pair.data, pair.error);
        }
      },
      onData(id, data, fin) {
        inputs.get(id)?.(data, fin);
      },
      onReset(id) {
        inputs.get(id)?.(Buffer.alloc(0), true);
      },
    },
    head,
  );
  return new Promise((resolve) => {
    conn.onClose(() => {
      for (const pair of pairs.values()) clearTimeout(pair.timer);
      for (const stop of stops) stop();
      resolve();
    });
  });
}
