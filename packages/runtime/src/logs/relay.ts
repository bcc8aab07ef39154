import { join } from 'node:path';
import type { ContainerRecord } from '@polis/core';
import type { RuntimeContext } from '../context.js';
import type { ContainerEvent, LogEntry } from '../types.js';
import { logDriverOf } from './drivers.js';
import { JsonFileWriter, lastJsonTime } from './json-file.js';
import { logLimits } from './rotate.js';
import { SyslogSender } from './syslog.js';

interface Sink {
  write(entry: LogEntry): Promise<void>;
  close(): void | Promise<void>;
}

/** Docker's on-disk name of a json-file log: `<data>/containers/<id>/<id>-json.log`. */
export function jsonLogPath(record: ContainerRecord): string {
  return join(record.paths.dir, `${record.id}-json.log`);
}

/**
 * Feeds the drivers conmon does not have (json-file, syslog) from conmon's k8s-file log: one follow
 * of `ctr.log` per running container, each entry passed on in order. conmon's log stays the source
 * `docker logs` reads, so the relay never has to be read back; the price is the log kept twice on
 * disk (both bounded by max-size × max-file).
 */
export class LogRelay {
  private readonly running = new Map<string, AbortController>();
  /** The time of the last entry passed on per container: a restart's follow skips what was sent. */
  private readonly sent = new Map<string, string>();
  private readonly onEvent = (e: ContainerEvent): void => {
    if (e.action === 'start') {
      const record = this.ctx.store.byId(e.id);
      if (record) this.begin(record, false);
    } else if (e.action === 'destroy') {
      this.running.get(e.id)?.abort();
      this.sent.delete(e.id);
    }
  };

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly follow: (id: string, signal: AbortSignal) => AsyncIterable<LogEntry>,
  ) {}

  /** Resumes the relays of containers that run already (a restarted polisd). */
  start(): void {
    this.ctx.events.on('event', this.onEvent);
    const now = new Date().toISOString().replace('Z', '000000Z');
    for (const id of this.ctx.store.ids()) {
      const status = this.ctx.store.statusOf(id);
      const record = this.ctx.store.byId(id);
      if (!record) continue;
      if (status === 'running' || status === 'paused' || status === 'restarting') this.begin(record, true);
      // A stopped syslog container's lines went out (or were lost) before: its next start sends only new ones.
      else if (logDriverOf(record.spec.logging.driver) === 'syslog') this.sent.set(id, now);
    }
  }

  stop(): void {
    this.ctx.events.off('event', this.onEvent);
    for (const c of this.running.values()) c.abort();
  }

  private begin(record: ContainerRecord, recovering: boolean): void {
    const driver = logDriverOf(record.spec.logging.driver);
    if ((driver !== 'json-file' && driver !== 'syslog') || this.running.has(record.id)) return;
    const controller = new AbortController();
    this.running.set(record.id, controller);
    void this.pump(record, driver, recovering, controller)
      .catch((err) => this.ctx.log.warn('log relay failed', { id: record.id, driver, err }))
      .finally(() => {
        if (this.running.get(record.id) === controller) this.running.delete(record.id);
      });
  }

  private async pump(
    record: ContainerRecord,
    driver: 'json-file' | 'syslog',
    recovering: boolean,
    controller: AbortController,
  ): Promise<void> {
    const o = record.spec.logging.options;
    let sink: Sink;
    let after = this.sent.get(record.id);
    if (driver === 'json-file') {
      const path = jsonLogPath(record);
      const limits = logLimits(this.ctx, record);
      after ??= await lastJsonTime(path);
      sink = new JsonFileWriter(path, limits.maxSize, limits.maxFiles);
    } else {
      // What was sent before polisd restarted is not known: sending from now loses the lines of the
      // downtime but never sends one twice.
      if (after === undefined && recovering) after = new Date().toISOString().replace('Z', '000000Z');
      sink = new SyslogSender({
        address: o['syslog-address'] ?? '',
        tag: o.tag || record.id.slice(0, 12),
        facility: o['syslog-facility'],
        format: o['syslog-format'],
      });
    }
    try {
      for await (const e of this.follow(record.id, controller.signal)) {
        if (after !== undefined && e.time <= after) continue;
        await sink.write(e);
        this.sent.set(record.id, e.time);
      }
    } finally {
      await sink.close();
    }
  }
}
