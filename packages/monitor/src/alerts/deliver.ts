import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { proc } from '@polis/core';
import { SIGNATURE_HEADER, signBody } from './sign.js';
import type { AlertRule } from './rule.js';

/** The JSON a webhook receives and a command reads on stdin. */
export interface AlertNotice {
  version: 1;
  status: 'firing' | 'resolved';
  alertId: string;
  rule: string;
  condition: string;
  subject: string;
  message: string;
  startsAt: string;
  endsAt?: string;
  labels: Record<string, string>;
  /** True for `polis alert test`: nothing fired. */
  test?: boolean;
}

export interface Attempt {
  action: 'webhook' | 'exec';
  attempt: number;
  ok: boolean;
  detail: string;
}

export interface RetryPolicy {
  /** Attempts in all (the first included). */
  attempts: number;
  /** Delay before the second attempt; doubled each time, up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 10,
  firstDelayMs: 500,
  maxDelayMs: 8000,
  timeoutMs: 5000,
};

/**
 * One POST; a non-2xx answer is a failure as much as a refused connection. node:http rather than fetch:
 * fetch refuses the "bad ports" of the Fetch standard (6000, 6667, …), which a receiver may well use.
 */
export function postOnce(
  url: string,
  body: string,
  secret: string | undefined,
  notice: AlertNotice,
  timeoutMs: number,
): Promise<Attempt & { action: 'webhook' }> {
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'User-Agent': 'polisd-alerts/1',
    'X-Polis-Alert-Id': notice.alertId,
    'X-Polis-Alert-Status': notice.status,
  };
  if (secret !== undefined) headers[SIGNATURE_HEADER] = signBody(body, secret);
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const done = (ok: boolean, detail: string): void =>
      resolve({ action: 'webhook', attempt: 0, ok, detail });
    const req = send(url, { method: 'POST', headers, timeout: timeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      res.on('end', () => done(status >= 200 && status < 300, `HTTP ${status}`));
      res.on('error', (err) => done(false, err.message));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => done(false, err.code ?? err.message));
    req.end(body);
  });
}

/**
 * Posts until a 2xx or the attempts run out, waiting firstDelayMs, then twice that, … between them. Every
 * attempt is reported (`onAttempt`) so the history shows the failed ones too.
 */
export async function deliverWebhook(
  rule: AlertRule,
  notice: AlertNotice,
  onAttempt: (a: Attempt) => void,
  policy: RetryPolicy = DEFAULT_RETRY,
  signal?: AbortSignal,
): Promise<boolean> {
  const body = JSON.stringify(notice);
  let delay = policy.firstDelayMs;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    const result = await postOnce(rule.webhook!, body, rule.secret, notice, policy.timeoutMs);
    onAttempt({ ...result, attempt });
    if (result.ok) return true;
    if (attempt === policy.attempts || signal?.aborted) return false;
    // polisd's shutdown ends the wait (and the delivery) at once rather than after the back-off.
    const waited = await sleep(delay, true, signal ? { signal } : {}).catch(() => false);
    if (!waited) return false;
    delay = Math.min(delay * 2, policy.maxDelayMs);
  }
  return false;
}

/** The rule's command through `sh -c`, the notice as JSON on stdin and the main fields in POLIS_ALERT_*. */
export async function runCommand(rule: AlertRule, notice: AlertNotice, timeoutMs = 30_000): Promise<Attempt> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    POLIS_ALERT_ID: notice.alertId,
    POLIS_ALERT_RULE: notice.rule,
    POLIS_ALERT_STATUS: notice.status,
    POLIS_ALERT_SUBJECT: notice.subject,
    POLIS_ALERT_MESSAGE: notice.message,
    POLIS_ALERT_CONTAINER: notice.labels.containerName ?? '',
  };
  try {
    await proc.run('/bin/sh', ['-c', rule.exec!], {
      input: JSON.stringify(notice),
      env,
      timeoutMs,
      maxStdout: 64 * 1024,
    });
    return { action: 'exec', attempt: 1, ok: true, detail: 'exit 0' };
  } catch (err) {
    return { action: 'exec', attempt: 1, ok: false, detail: (err as Error).message.slice(0, 500) };
  }
}
