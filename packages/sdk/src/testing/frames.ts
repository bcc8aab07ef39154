/** One frame of Docker's multiplexed stream (stdout 1, stderr 2, system error 3), for tests. */
export function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
