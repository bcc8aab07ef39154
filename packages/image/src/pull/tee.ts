import { PassThrough } from 'node:stream';

/**
 * Copies a download to a second reader (the unpacker) while the first (the blob writer) consumes it,
 * at the pace of the slower one. The branch can be let go (the layer was already there) or failed (the
 * download was bad), and the download then goes on alone.
 */
export class Tee {
  readonly branch = new PassThrough({ highWaterMark: 1024 * 1024 });
  private detached: boolean;
  private release: (() => void) | undefined;

  constructor(enabled: boolean) {
    this.detached = !enabled;
    this.branch.on('error', () => undefined);
  }

  async *source(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of input) {
      if (!this.detached && !this.branch.write(chunk)) {
        await new Promise<void>((resolve) => {
          this.release = resolve;
          this.branch.once('drain', resolve);
        });
        this.release = undefined;
      }
      yield chunk;
    }
    if (!this.detached) this.branch.end();
  }

  detach(): void {
    this.detached = true;
    this.release?.();
  }

  fail(err: Error): void {
    this.detached = true;
    this.branch.destroy(err);
    this.release?.();
  }
}
