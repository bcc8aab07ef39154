import { SeqpacketSocket } from 'node-unix-socket';
import { EventEmitter } from 'node:events';
import { PolisError } from '@polis/core';

/** conmon prefixes each output packet with the stream: 2 stdout, 3 stderr (all 2 with a TTY). */
const STREAMS: Record<number, 'stdout' | 'stderr'> = { 2: 'stdout', 3: 'stderr' };
/** conmon cuts input packets above 32 KiB; its output packets are at most 8193 bytes. */
const MAX_INPUT_PACKET = 32 * 1024;

export interface AttachOutput {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/**
 * A connection to conmon's attach socket (SOCK_SEQPACKET, which node:net cannot open). Output packets
 * come as `output` events, `end` when conmon closes (the container ended). Writing sends to the
 * container's stdin; `closeStdin` half-closes, which conmon turns into EOF on the container's stdin.
 */
export class AttachConnection extends EventEmitter {
  private closed = false;

  private constructor(private readonly socket: SeqpacketSocket) {
    super();
    socket.on('data', (packet: Buffer) => {
      const stream = STREAMS[packet[0] ?? 0];
      if (stream && packet.length > 1) this.emit('output', { stream, data: Buffer.from(packet.subarray(1)) });
    });
    const finish = (): void => {
      if (this.closed) return;
      this.closed = true;
      // conmon hung up: release our end too, or polisd keeps one descriptor per container ever run.
      socket.destroy();
      this.emit('end');
    };
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
  }

  static connect(path: string): Promise<AttachConnection> {
    return new Promise((resolve, reject) => {
      const socket = new SeqpacketSocket();
      const onError = (err: Error): void =>
        reject(new PolisError('runtime.failed', `attach socket ${path}: ${err.message}`, { cause: err }));
      socket.once('error', onError);
      try {
        socket.connect(path, () => {
          socket.off('error', onError);
          resolve(new AttachConnection(socket));
        });
      } catch (err) {
        onError(err as Error);
      }
    });
  }

  get ended(): boolean {
    return this.closed;
  }

  write(data: Buffer): void {
    if (this.closed) return;
    for (let off = 0; off < data.length; off += MAX_INPUT_PACKET) {
      this.socket.write(data.subarray(off, Math.min(off + MAX_INPUT_PACKET, data.length)));
    }
  }

  closeStdin(): void {
    if (!this.closed) this.socket.end();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }
}
