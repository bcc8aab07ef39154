import { statfsSync } from 'node:fs';
import { PolisError, createLogger } from '@polis/core';
import { nowNanos, type DockerEvent } from '../events/event.js';
import type { HealthReport } from '../health/report.js';
import type { StatsSample } from '../stats/types.js';
import {
  DEFAULT_RETRY,
  deliverWebhook,
  postOnce,
  runCommand,
  type AlertNotice,
  type Attempt,
  type RetryPolicy,
} from './deliver.js';
import { Firings, type Firing } from './firings.js';
import { parseRule, publicRule, type AlertRule } from './rule.js';
import type { AlertStore, HistoryEntry } from './store.js';
import { cpuPercent, memoryPercent } from './usage.js';

const log = createLogger('alerts');

export interface AlertHost {
  subscribe(listener: (e: DockerEvent) => void): () => void;
  /** Where an `event` action's notice goes (the event bus). */
  publish(e: DockerEvent): void;
  running(): { id: string; name: string; image: string }[];
  readStats(id: string): StatsSample | undefined;
  hostMemory: number;
  dataRoot: string;
  components?(): Promise<HealthReport>;
  /** Whether a container still exists (for firings kept across a restart of polisd). */
  exists?(id: string): boolean;
}

export interface AlertEngineOptions {
  host: AlertHost;
  store: AlertStore;
  /** daemon.json's rules: kept in memory, not removable through the API. */
  configRules?: AlertRule[];
  intervalMs?: number;
  retry?: RetryPolicy;
}

interface RestartTrack {
  times: number[];
  name: string;
}

/**
 * Evaluates the rules against the event bus (unhealthy, exit, oom, restarts) and, once per interval,
 * against readings (cpu, memory, disk, component); each (rule, subject) fires once and resolves once
 * (see Firings), and each change is handed to the rule's actions and kept in the history.
 */
export class AlertEngine {
  private readonly rules = new Map<string, AlertRule>();
  private readonly firings = new Firings();
  private readonly restarts = new Map<string, RestartTrack>();
  /** When a metric condition started to hold, per rule and subject. */
  private readonly overSince = new Map<string, number>();
  private readonly previous = new Map<string, StatsSample>();
  private readonly pending = new Set<Promise<unknown>>();
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private closed = false;
  private readonly stopping = new AbortController();
  private readonly intervalMs: number;
  private readonly retry: RetryPolicy;

  constructor(private readonly options: AlertEngineOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.retry = options.retry ?? DEFAULT_RETRY;
    for (const rule of options.configRules ?? []) this.rules.set(rule.name, rule);
    for (const rule of options.store.rules()) if (!this.rules.has(rule.name)) this.rules.set(rule.name, rule);
    for (const f of options.store.firings()) {
      const rule = this.rules.get(f.rule);
      if (rule) {
        this.firings.restore(f);
        // A restart loop's quiet time counts from now: its restarts before were not seen by this process.
        if (rule.condition.kind === 'restarts')
          this.restarts.set(f.subject, { times: [Date.now()], name: f.labels.containerName ?? f.subject });
      } else options.store.deleteFiringsOf(f.rule); // its rule left daemon.json meanwhile
    }
  }

  start(): void {
    this.unsubscribe = this.options.host.subscribe((e) => this.onEvent(e));
    this.resolveVanished();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopping.abort();
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.pending]);
  }

  list(): Record<string, unknown>[] {
    return [...this.rules.values()].map((r) => ({
      ...publicRule(r),
      firing: this.firings
        .ofRule(r.name)
        .map((f) => ({ subject: f.subject, since: f.startsAt, message: f.message })),
    }));
  }

  add(input: unknown): Record<string, unknown> {
    const rule = parseRule(input, 'api');
    if (this.rules.has(rule.name))
      throw new PolisError('request.conflict', `alert ${rule.name} already exists`);
    this.options.store.saveRule(rule);
    this.rules.set(rule.name, rule);
    return publicRule(rule);
  }

  remove(name: string): void {
    const rule = this.get(name);
    if (rule.source === 'config') {
      throw new PolisError(
        'request.conflict',
        `alert ${name} comes from the daemon's config file: remove it there`,
      );
    }
    this.options.store.deleteRule(name);
    this.rules.delete(name);
    this.firings.dropRule(name);
    this.options.store.deleteFiringsOf(name);
  }

  private get(name: string): AlertRule {
    const rule = this.rules.get(name);
    if (!rule) throw new PolisError('request.not_found', `no such alert: ${name}`);
    return rule;
  }

  /** A test notice through each of the rule's actions, once (no retries), with what each answered. */
  async test(name: string): Promise<{ rule: string; results: Attempt[] }> {
    const rule = this.get(name);
    const now = new Date().toISOString();
    const notice: AlertNotice = {
      version: 1,
      status: 'firing',
      alertId: `test-${Date.now()}`,
      rule: rule.name,
      condition: rule.on,
      subject: 'test',
      message: `test of alert ${rule.name}`,
      startsAt: now,
      labels: {},
      test: true,
    };
    const results: Attempt[] = [];
    if (rule.webhook)
      results.push({
        ...(await postOnce(rule.webhook, JSON.stringify(notice), rule.secret, notice, this.retry.timeoutMs)),
        attempt: 1,
      });
    if (rule.exec) results.push(await runCommand(rule, notice));
    if (rule.event) this.options.host.publish(alertEvent(notice));
    return { rule: rule.name, results };
  }

  history(options: { rule?: string; limit?: number } = {}): HistoryEntry[] {
    return this.options.store.history(options);
  }

  /** Active firings (for the dashboard and `alert ls`). */
  active(): Firing[] {
    return this.firings.list();
  }

  private rulesOf(kind: AlertRule['condition']['kind']): AlertRule[] {
    return [...this.rules.values()].filter((r) => r.condition.kind === kind);
  }

  onEvent(e: DockerEvent): void {
    if (e.Type !== 'container') return;
    const id = e.Actor.ID;
    const name = e.Actor.Attributes.name ?? id.slice(0, 12);
    const labels = { containerId: id, containerName: name, image: e.Actor.Attributes.image ?? '' };
    const action = e.Action;
    if (action === 'health_status: unhealthy') {
      for (const r of this.rulesOf('unhealthy')) this.fire(r, id, `container ${name} is unhealthy`, labels);
    } else if (action === 'health_status: healthy') {
      for (const r of this.rulesOf('unhealthy')) this.resolve(r, id, `container ${name} is healthy again`);
    } else if (action === 'oom') {
      for (const r of this.rulesOf('oom'))
        this.fire(r, id, `container ${name} was killed for lack of memory (OOM)`, labels);
    } else if (action === 'die') {
      const code = e.Actor.Attributes.exitCode ?? '0';
      if (code !== '0') {
        for (const r of this.rulesOf('exit'))
          this.fire(r, id, `container ${name} exited with code ${code}`, { ...labels, exitCode: code });
      }
    } else if (action === 'start' || action === 'restart') {
      // A restart policy's start is a `restart` event alone.
      for (const r of [...this.rulesOf('exit'), ...this.rulesOf('oom')])
        this.resolve(r, id, `container ${name} started again`);
      if (action === 'restart') this.onRestart(id, name, labels);
    } else if (action === 'stop') {
      for (const r of this.rulesOf('restarts')) this.resolve(r, id, `container ${name} was stopped`);
      this.restarts.delete(id);
    } else if (action === 'destroy') {
      for (const f of this.firings.ofSubject(id)) {
        const rule = this.rules.get(f.rule);
        if (rule) this.resolve(rule, id, `container ${name} was removed`);
      }
      this.restarts.delete(id);
      this.previous.delete(id);
    }
  }

  private onRestart(id: string, name: string, labels: Record<string, string>): void {
    const track = this.restarts.get(id) ?? { times: [], name };
    const now = Date.now();
    track.times.push(now);
    const longest = Math.max(
      0,
      ...this.rulesOf('restarts').map((r) => (r.condition.kind === 'restarts' ? r.condition.windowMs : 0)),
    );
    track.times = track.times.filter((t) => now - t <= longest);
    this.restarts.set(id, track);
    for (const r of this.rulesOf('restarts')) {
      if (r.condition.kind !== 'restarts') continue;
      const { count, windowMs } = r.condition;
      const inWindow = track.times.filter((t) => now - t <= windowMs).length;
      if (inWindow >= count) {
        this.fire(
          r,
          id,
          `container ${name} restarted ${inWindow} times in ${r.condition.windowMs / 1000}s`,
          labels,
        );
      }
    }
  }

  /** The timed part: restart loops gone quiet, metric thresholds, disk, components. */
  async tick(): Promise<void> {
    if (this.ticking || this.closed) return;
    this.ticking = true;
    try {
      this.quietRestarts();
      if (this.rulesOf('cpu').length + this.rulesOf('memory').length > 0) this.usage();
      if (this.rulesOf('disk').length > 0) this.disk();
      if (this.rulesOf('component').length > 0 && this.options.host.components) await this.components();
    } catch (err) {
      log.warn('alert evaluation failed', { err });
    } finally {
      this.ticking = false;
    }
  }

  private quietRestarts(): void {
    const now = Date.now();
    for (const r of this.rulesOf('restarts')) {
      if (r.condition.kind !== 'restarts') continue;
      for (const f of this.firings.ofRule(r.name)) {
        const last = Math.max(0, ...(this.restarts.get(f.subject)?.times ?? []));
        if (now - last >= r.condition.windowMs) {
          this.resolve(
            r,
            f.subject,
            `container ${f.labels.containerName ?? f.subject} did not restart for ${r.condition.windowMs / 1000}s`,
          );
        }
      }
    }
  }

  /** A condition that must hold for `for` before it fires; it resolves as soon as it no longer holds. */
  private sustained(
    rule: AlertRule,
    subject: string,
    holds: boolean,
    message: string,
    labels: Record<string, string>,
  ): void {
    const key = `${rule.name}\u0000${subject}`;
    if (!holds) {
      this.overSince.delete(key);
      this.resolve(rule, subject, message);
      return;
    }
    const since = this.overSince.get(key) ?? Date.now();
    this.overSince.set(key, since);
    if (Date.now() - since >= rule.forMs) this.fire(rule, subject, message, labels);
  }

  private usage(): void {
    const cpuRules = this.rulesOf('cpu');
    const memRules = this.rulesOf('memory');
    const seen = new Set<string>();
    for (const c of this.options.host.running()) {
      seen.add(c.id);
      const sample = this.options.host.readStats(c.id);
      if (!sample) continue;
      const prev = this.previous.get(c.id);
      this.previous.set(c.id, sample);
      const labels = { containerId: c.id, containerName: c.name, image: c.image };
      const cpu = prev ? cpuPercent(prev, sample) : undefined;
      for (const r of cpuRules) {
        if (r.condition.kind !== 'cpu' || cpu === undefined) continue;
        const over = cpu > r.condition.percent;
        this.sustained(
          r,
          c.id,
          over,
          over
            ? `container ${c.name} uses ${cpu.toFixed(1)}% CPU`
            : `container ${c.name} CPU back to ${cpu.toFixed(1)}%`,
          { ...labels, value: cpu.toFixed(1) },
        );
      }
      const mem = memoryPercent(sample, this.options.host.hostMemory);
      for (const r of memRules) {
        if (r.condition.kind !== 'memory') continue;
        const over = mem > r.condition.percent;
        this.sustained(
          r,
          c.id,
          over,
          over
            ? `container ${c.name} uses ${mem.toFixed(1)}% of its memory limit`
            : `container ${c.name} memory back to ${mem.toFixed(1)}%`,
          { ...labels, value: mem.toFixed(1) },
        );
      }
    }
    // A container that stopped no longer uses anything: its firings end.
    for (const id of [...this.previous.keys()]) if (!seen.has(id)) this.previous.delete(id);
    for (const key of [...this.overSince.keys()]) {
      const [rule, subject] = key.split('\u0000') as [string, string];
      const kind = this.rules.get(rule)?.condition.kind;
      if ((kind === 'cpu' || kind === 'memory') && !seen.has(subject)) this.overSince.delete(key);
    }
    for (const r of [...cpuRules, ...memRules]) {
      for (const f of this.firings.ofRule(r.name)) {
        if (!seen.has(f.subject))
          this.sustained(
            r,
            f.subject,
            false,
            `container ${f.labels.containerName ?? f.subject} is not running`,
            {},
          );
      }
    }
  }

  private disk(): void {
    const s = statfsSync(this.options.host.dataRoot);
    const used = s.blocks > 0 ? ((s.blocks - s.bfree) / (s.blocks - s.bfree + s.bavail)) * 100 : 0;
    for (const r of this.rulesOf('disk')) {
      if (r.condition.kind !== 'disk') continue;
      const over = used > r.condition.percent;
      this.sustained(r, 'host', over, `data root ${this.options.host.dataRoot} is ${used.toFixed(1)}% full`, {
        value: used.toFixed(1),
      });
    }
  }

  /**
   * A container removed while polisd was down sends no `destroy` now: its kept firings end here. (The
   * timed conditions need nothing of the kind: their next reading resolves what no longer holds.)
   */
  private resolveVanished(): void {
    const exists = this.options.host.exists;
    if (!exists) return;
    for (const f of this.firings.list()) {
      const rule = this.rules.get(f.rule);
      const kind = rule?.condition.kind;
      if (!rule || kind === 'disk' || kind === 'component') continue;
      if (!exists(f.subject))
        this.resolve(rule, f.subject, `container ${f.labels.containerName ?? f.subject} was removed`);
    }
  }

  private lastComponents = 0;

  /** A report costs a few hundred ms: at most one every 10 s whatever the interval. */
  private async components(): Promise<void> {
    if (Date.now() - this.lastComponents < Math.max(10_000, this.intervalMs)) return;
    this.lastComponents = Date.now();
    const report = await this.options.host.components!();
    for (const r of this.rulesOf('component')) {
      if (r.condition.kind !== 'component') continue;
      const wanted = r.condition.component;
      for (const c of report.components) {
        if (wanted !== undefined && c.name !== wanted) continue;
        const bad = c.checks.filter((k) => k.status === 'unhealthy');
        const message =
          bad.length > 0
            ? `component ${c.name} is unhealthy: ${bad.map((k) => `${k.name}: ${k.message}`).join('; ')}`
            : `component ${c.name} is ${c.status}`;
        this.sustained(r, c.name, bad.length > 0, message, { component: c.name });
      }
    }
  }

  private fire(rule: AlertRule, subject: string, message: string, labels: Record<string, string>): void {
    const firing = this.firings.fire(rule.name, subject, message, labels);
    if (!firing) return;
    this.options.store.saveFiring(firing);
    log.info('alert firing', { rule: rule.name, subject, message });
    this.notify(rule, firing, 'firing');
  }

  private resolve(rule: AlertRule, subject: string, message: string): void {
    const ended = this.firings.resolve(rule.name, subject, message);
    if (!ended) return;
    this.options.store.deleteFiring(rule.name, subject);
    log.info('alert resolved', { rule: rule.name, subject, message });
    this.notify(rule, ended, 'resolved');
  }

  private notify(rule: AlertRule, firing: Firing, status: 'firing' | 'resolved'): void {
    const store = this.options.store;
    store.record({
      rule: rule.name,
      alertId: firing.id,
      subject: firing.subject,
      kind: status === 'firing' ? 'fired' : 'resolved',
      detail: firing.message,
    });
    const notice: AlertNotice = {
      version: 1,
      status,
      alertId: firing.id,
      rule: rule.name,
      condition: rule.on,
      subject: firing.subject,
      message: firing.message,
      startsAt: firing.startsAt,
      ...(firing.endsAt ? { endsAt: firing.endsAt } : {}),
      labels: firing.labels,
    };
    const recordAttempt = (a: Attempt): void =>
      store.record({
        rule: rule.name,
        alertId: firing.id,
        subject: firing.subject,
        kind: a.ok ? 'delivered' : 'failed',
        detail: `${status}: ${a.detail}`,
        action: a.action,
        attempt: a.attempt,
      });
    if (rule.event) this.options.host.publish(alertEvent(notice));
    if (rule.webhook)
      this.track(deliverWebhook(rule, notice, recordAttempt, this.retry, this.stopping.signal));
    if (rule.exec) this.track(runCommand(rule, notice).then(recordAttempt));
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err) => log.warn('alert delivery failed', { err }));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}

/**
 * An alert on the event bus: Type `alert`, a type Docker does not have. Docker's clients print or pass
 * through an event of a type they do not know, and a client filtering by `type=container` never sees it.
 */
export function alertEvent(notice: AlertNotice): DockerEvent {
  const nano = nowNanos();
  return {
    Type: 'alert',
    Action: notice.status,
    Actor: {
      ID: notice.alertId,
      Attributes: { rule: notice.rule, subject: notice.subject, message: notice.message, ...notice.labels },
    },
    scope: 'local',
    time: Math.floor(nano / 1e9),
    timeNano: nano,
  };
}
