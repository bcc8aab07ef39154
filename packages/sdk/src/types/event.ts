/** Docker Engine API v1.41 shapes for `GET /events`. */

export type EventType =
  | 'container'
  | 'image'
  | 'volume'
  | 'network'
  | 'daemon'
  | 'plugin'
  | 'service'
  | 'node'
  | 'secret'
  | 'config';

/** One event (docker's `events.Message`), with the legacy top-level `status`, `id` and `from`. */
export interface Event {
  Type: EventType;
  /** `create`, `start`, `die`, `destroy`, `exec_start: sh` … */
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local' | 'swarm';
  /** Unix seconds. */
  time: number;
  /**
   * Unix nanoseconds. Past 2^53 a JSON number loses its last digits; `String(timeNano)` gives back the
   * digits the daemon sent.
   */
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}

/** A point in time as `GET /events` takes it. */
export type EventTime = Date | number | string;

export interface EventsOptions {
  /**
   * Past events from this time on. A Date, Unix seconds (may carry a fraction), or a string the daemon
   * reads: Unix seconds, RFC 3339 or a Go duration before now (`10m`).
   */
  since?: EventTime;
  /** Ends the stream at this time (same forms as `since`); without it the stream stays open. */
  until?: EventTime;
  /** Docker's filters: `{"type": ["container"], "event": ["die"], "container": ["web"]}`. */
  filters?: Record<string, string[]>;
  /** Aborting ends the stream (the iteration finishes without an error). */
  signal?: AbortSignal;
}

/** `GET /containers/{id}/top`. */
export interface TopResponse {
  Titles: string[];
  Processes: string[][];
}
