import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import { createLogger } from '@polis/core';
import type { DockerEvent } from './event.js';
import { eventMatches } from './filter.js';

export interface EventQuery {
  /** Nanoseconds since the epoch. */
  since?: number;
  until?: number;
  filters?: Record<string, string[]>;
}

const DEFAULT_KEEP = 10_000;
const log = createLogger('events');

/**
 * The event bus and its bounded history: every event is kept in SQLite (the last `keep` of them),
 * so `events --since` works after the fact and across daemon restarts, and pushed to live listeners.
 */
export class EventLog {
  private readonly emitter = new EventEmitter();
  private readonly insert;
  private readonly prune;
  private readonly range;
  private readonly from;
  private count = 0;
  /** Why the last event could not be kept (cleared by the next one kept), for component health. */
  lastWriteError: string | undefined;

  constructor(
    db: Database.Database,
    private readonly keep = DEFAULT_KEEP,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS events (
      time_nano INTEGER NOT NULL,
      event TEXT NOT NULL
    )`);
    db.exec('CREATE INDEX IF NOT EXISTS events_time ON events (time_nano)');
    this.insert = db.prepare('INSERT INTO events (time_nano, event) VALUES (?, ?)');
    this.prune = db.prepare(
      'DELETE FROM events WHERE rowid <= (SELECT rowid FROM events ORDER BY rowid DESC LIMIT 1 OFFSET ?)',
    );
    this.range = db.prepare(
      'SELECT event FROM events WHERE time_nano >= ? AND time_nano <= ? ORDER BY rowid',
    );
    this.from = db.prepare('SELECT event FROM events WHERE time_nano >= ? ORDER BY rowid');
    this.emitter.setMaxListeners(0);
  }

  /**
   * Keeps the event and tells live listeners. History is best effort: an event is published after its
   * operation is done, so a full disk must not turn that operation into a failure.
   */
  publish(event: DockerEvent): void {
    try {
      this.insert.run(event.timeNano, JSON.stringify(event));
      if (++this.count % 100 === 0) this.prune.run(this.keep);
      this.lastWriteError = undefined;
    } catch (err) {
      this.lastWriteError = (err as Error).message;
      log.warn('event not kept in history', { action: event.Action, err });
    }
    this.emitter.emit('event', event);
  }

  /** Past events in [since, until], filtered. */
  history(q: EventQuery): DockerEvent[] {
    const rows = (
      q.until === undefined ? this.from.all(q.since ?? 0) : this.range.all(q.since ?? 0, q.until)
    ) as { event: string }[];
    return rows
      .map((r) => JSON.parse(r.event) as DockerEvent)
      .filter((e) => eventMatches(e, q.filters ?? {}));
  }

  subscribe(listener: (e: DockerEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
