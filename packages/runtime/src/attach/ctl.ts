import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError } from '@polis/core';

/**
 * Writes one message to conmon's control FIFO in the bundle (`1 H W` resizes the terminal, `2 0 0`
 * reopens the log). Opened non-blocking: ENXIO means no conmon reads it any more.
 */
export async function conmonCtl(bundle: string, message: string): Promise<void> {
  let fh;
  try {
    fh = await open(join(bundle, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new PolisError(
      'container.not_running',
      `container's supervisor is not listening: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  try {
    await fh.write(`${message}\n`);
  } finally {
    await fh.close();
  }
}

export function resizeMessage(height: number, width: number): string {
  return `1 ${height} ${width}`;
}
