import type { ProgressEvent } from '@polis/image';
import { errorReply } from '../../http/errors.js';
import type { Reply } from '../../http/reply.js';
import { progressMessage } from '../../docker/progress.js';
import { jsonLine } from './create.js';

/**
 * Docker's JSON-lines progress answer. Headings wait until something else happens, so a failure that
 * comes first (unknown image, refused credentials) is still an HTTP error with its own status, as with
 * dockerd; after that, a failure is an `errorDetail` line.
 */
export class ProgressStream {
  private readonly held: ProgressEvent[] = [];
  private out: NodeJS.WritableStream | undefined;

  constructor(
    private readonly reply: Reply,
    private readonly isHeading: (e: ProgressEvent) => boolean,
  ) {}

  readonly sink = (event: ProgressEvent): void => {
    if (!this.out && this.isHeading(event)) {
      this.held.push(event);
      return;
    }
    this.raw(progressMessage(event));
  };

  /** Writes a message as it is (`aux` results, `stream` lines). */
  raw(message: Record<string, unknown>): void {
    this.open().write(jsonLine(message));
  }

  /** Ends the answer; an error is thrown on (to become the HTTP error) when nothing was sent yet. */
  finish(err?: unknown): void {
    if (err !== undefined && !this.out) throw err;
    const out = this.open();
    if (err !== undefined) {
      const { message, code } = errorReply(err).body;
      // `polisCode`, beside Docker's fields: the gRPC pull turns the line back into a typed error.
      out.write(jsonLine({ errorDetail: { message }, error: message, polisCode: code }));
    }
    out.end();
  }

  private open(): NodeJS.WritableStream {
    if (!this.out) {
      this.out = this.reply.stream('application/json');
      for (const event of this.held.splice(0)) this.out.write(jsonLine(progressMessage(event)));
    }
    return this.out;
  }
}
