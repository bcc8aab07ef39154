import type { Transport } from './transport.js';

/** A rule as `polis alert add` sends it (see docs/architecture.md "Alerts" for the conditions). */
export interface AlertRuleBody {
  name: string;
  on: string;
  for?: string;
  webhook?: string;
  secret?: string;
  exec?: string;
  event?: boolean;
}

/** A rule as listed: the secret is only `true`, never given back. */
export interface AlertRuleInfo extends Omit<AlertRuleBody, 'secret'> {
  secret?: boolean;
  source: 'api' | 'config';
  firing: { subject: string; since: string; message: string }[];
}

export interface AlertHistoryEntry {
  id: number;
  time: string;
  rule: string;
  alertId: string;
  subject: string;
  kind: 'fired' | 'resolved' | 'delivered' | 'failed';
  detail: string;
  action?: string;
  attempt?: number;
}

export interface AlertTestResult {
  rule: string;
  results: { action: string; attempt: number; ok: boolean; detail: string }[];
}

const enc = encodeURIComponent;

/** Polis's own `/polis/v1/alerts` endpoints. */
export class Alerts {
  constructor(private readonly http: Transport) {}

  list(): Promise<AlertRuleInfo[]> {
    return this.http.json('GET', '/polis/v1/alerts');
  }

  add(rule: AlertRuleBody): Promise<AlertRuleInfo> {
    return this.http.json('POST', '/polis/v1/alerts', { json: rule });
  }

  remove(name: string): Promise<void> {
    return this.http.empty('DELETE', `/polis/v1/alerts/${enc(name)}`);
  }

  /** Sends a test notice through each of the rule's actions once and says how each went. */
  test(name: string): Promise<AlertTestResult> {
    return this.http.json('POST', `/polis/v1/alerts/${enc(name)}/test`);
  }

  /** Newest first. */
  history(options: { rule?: string; limit?: number } = {}): Promise<AlertHistoryEntry[]> {
    return this.http.json('GET', '/polis/v1/alerts/history', {
      query: { rule: options.rule, limit: options.limit },
    });
  }
}
