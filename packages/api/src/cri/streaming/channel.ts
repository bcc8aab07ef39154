/**
 * What a stream session talks to: numbered channels in the manner of `v4.channel.k8s.io` (a message is
 * the channel byte, then its data). The websocket connection is one; the SPDY connection maps its
 * per-channel streams onto the same shape, so exec and attach have one code path for both.
 */
export interface ChannelConnection {
  onMessage(listener: (data: Buffer) => void): void;
  onClose(listener: () => void): void;
  readonly isClosed: boolean;
  send(data: Buffer): void;
  close(code?: number): void;
}
