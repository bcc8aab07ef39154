import type Database from 'better-sqlite3';
import type { Firing } from './firings.js';
import { parseRule, type AlertRule } from './rule.js';

export type HistoryKind = 'fired' | 'resolved' | 'delivered' | 'failed';

export interface HistoryEntry {
  id: number;
  time: string;
  rule: string;
  alertId: string;
  subject: string;
  kind: HistoryKind;
  /** What happened: the message for fired/resolved, the action and its outcome for delivered/failed. */
  detail: string;
  /** For delivered/failed: which action and which attempt. */
  action?: string;
  attempt?: number;
}

const DEFAULT_KEEP = 5000;

/** The API's rules (daemon.json's are not stored: the file is read at each start) and the bounded history. */
export class AlertStore {
  private readonly putRule;
  private readonly delRule;
  private readonly allRules;
  private readonly insert;
  private readonly prune;
  private readonly recent;
  private readonly putFiring;
  private readonly delFiring;
  private readonly delFiringsOf;
  private readonly allFirings;
  private count = 0;

  constructor(
    db: Database.Database,
    private readonly keep = DEFAULT_KEEP,
  ) {
    db.exec('CREATE TABLE IF NOT EXISTS alert_rules (name TEXT PRIMARY KEY, rule TEXT NOT NULL)');
    db.exec(`CREATE TABLE IF NOT EXISTS alert_history (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      time TEXT NOT NULL,
      rule TEXT NOT NULL,
      alert_id TEXT NOT NULL,
      subject TEXT NOT NULL,
      kind TEXT NOT NULL,
      detail TEXT NOT NULL,
      action TEXT,
      attempt INTEGER
    )`);
    // What fires now, so that a restart of polisd neither fires it again nor forgets to resolve it.
    db.exec(`CREATE TABLE IF NOT EXISTS alert_firings (
      rule TEXT NOT NULL,
      subject TEXT NOT NULL,
      id TEXT NOT NULL,
      message TEXT NOT NULL,
      starts_at TEXT NOT NULL,
      labels TEXT NOT NULL,
      PRIMARY KEY (rule, subject)
    )`);
    this.putFiring = db.prepare(
      'INSERT OR REPLACE INTO alert_firings (rule, subject, id, message, starts_at, labels) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.delFiring = db.prepare('DELETE FROM alert_firings WHERE rule = ? AND subject = ?');
    this.delFiringsOf = db.prepare('DELETE FROM alert_firings WHERE rule = ?');
    this.allFirings = db.prepare(
      'SELECT rule, subject, id, message, starts_at AS startsAt, labels FROM alert_firings ORDER BY starts_at',
    );
    this.putRule = db.prepare('INSERT OR REPLACE INTO alert_rules (name, rule) VALUES (?, ?)');
    this.delRule = db.prepare('DELETE FROM alert_rules WHERE name = ?');
    this.allRules = db.prepare('SELECT rule FROM alert_rules ORDER BY name');
    this.insert = db.prepare(
      'INSERT INTO alert_history (time, rule, alert_id, subject, kind, detail, action, attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.prune = db.prepare(
      'DELETE FROM alert_history WHERE id <= (SELECT id FROM alert_history ORDER BY id DESC LIMIT 1 OFFSET ?)',
    );
    this.recent = db.prepare(
      `SELECT id, time, rule, alert_id AS alertId, subject, kind, detail, action, attempt FROM alert_history
       WHERE (? IS NULL OR rule = ?) ORDER BY id DESC LIMIT ?`,
    );
  }

  saveRule(rule: AlertRule): void {
    const { condition: _c, forMs: _f, source: _s, ...input } = rule;
    this.putRule.run(rule.name, JSON.stringify(input));
  }

  deleteRule(name: string): void {
    this.delRule.run(name);
  }

  rules(): AlertRule[] {
    return (this.allRules.all() as { rule: string }[]).map((r) => parseRule(JSON.parse(r.rule), 'api'));
  }

  saveFiring(f: Firing): void {
    this.putFiring.run(f.rule, f.subject, f.id, f.message, f.startsAt, JSON.stringify(f.labels));
  }

  deleteFiring(rule: string, subject: string): void {
    this.delFiring.run(rule, subject);
  }

  deleteFiringsOf(rule: string): void {
    this.delFiringsOf.run(rule);
  }

  /** The firings that were active when polisd last ran. */
  firings(): Firing[] {
    return (this.allFirings.all() as (Omit<Firing, 'labels'> & { labels: string })[]).map((r) => {
      let labels: Record<string, string> = {};
      try {
        labels = JSON.parse(r.labels) as Record<string, string>;
      } catch {
        // a damaged row still says what fires
      }
      return { ...r, labels };
    });
  }

  record(entry: Omit<HistoryEntry, 'id' | 'time'>, now = new Date()): void {
    this.insert.run(
      now.toISOString(),
      entry.rule,
      entry.alertId,
      entry.subject,
      entry.kind,
      entry.detail,
      entry.action ?? null,
      entry.attempt ?? null,
    );
    if (++this.count % 100 === 0) this.prune.run(this.keep);
  }

  /** The newest entries first. */
  history(options: { rule?: string; limit?: number } = {}): HistoryEntry[] {
    const rule = options.rule ?? null;
    const rows = this.recent.all(rule, rule, options.limit ?? 100) as (HistoryEntry & {
      action: string | null;
      attempt: number | null;
    })[];
    return rows.map(({ action, attempt, ...r }) => ({
      ...r,
      ...(action !== null ? { action } : {}),
      ...(attempt !== null ? { attempt } : {}),
    }));
  }
}
