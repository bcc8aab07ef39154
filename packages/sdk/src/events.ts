import type { IncomingMessage } from 'node:http';
import { encodeFilters } from './filters.js';
import { jsonLines } from './stream/json-lines.js';
import type { Transport } from './transport.js';
import type { Event, EventsOptions, EventTime } from './types/event.js';

/** Unix seconds with nine fraction digits for a Date; numbers and strings go as they are. */
export function eventTimeParam(t: EventTime | undefined): string | undefined {
  if (t === undefined) return undefined;
  if (t instanceof Date) {
    const ms = t.getTime();
    const secs = Math.floor(ms / 1000);
    return `${secs}.${String((ms - secs * 1000) * 1_000_000).padStart(9, '0')}`;
  }
  return String(t);
}

/**
 * The daemon's events as an async iterable. The request goes out at once, so events that happen after
 * the call are not missed; `ready` settles when the daemon has answered. `close()` (or the options'
 * signal, or leaving a `for await` loop) ends the request, and the iteration then finishes quietly.
 */
export class EventStream implements AsyncIterable<Event> {
  /** Resolves once the daemon has answered and is streaming; rejects with the request's error. */
  readonly ready: Promise<void>;
  private readonly response: Promise<IncomingMessage | undefined>;
  private readonly abort = new AbortController();

  constructor(http: Transport, options: EventsOptions = {}) {
    const outer = options.signal;
    if (outer?.aborted) this.close();
    else outer?.addEventListener('abort', () => this.close(), { once: true });
    this.response = http
      .send('GET', '/events', {
        query: {
          since: eventTimeParam(options.since),
          until: eventTimeParam(options.until),
          filters: encodeFilters(options.filters),
        },
        signal: this.abort.signal,
      })
      .then(
        (res) => {
          if (this.closed) res.destroy();
          return res;
        },
        (err: unknown) => {
          if (this.closed) return undefined;
          throw err;
        },
      );
    this.ready = this.response.then(() => undefined);
    // Callers who only iterate see the error there; `ready` alone must not be an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Event> {
    const res = await this.response;
    if (!res) return;
    try {
      for await (const event of jsonLines<Event>(res)) {
        if (this.closed) return;
        yield event;
      }
    } catch (err) {
      if (!this.closed) throw err;
    } finally {
      this.close();
    }
  }

  /** Ends the request; a pending iteration finishes without an error. */
  close(): void {
    this.abort.abort();
  }
}
