import { PolisError, parseGoDuration } from '@polis/core';

/** What a rule watches. Event conditions fire per container; `disk` and `component` per host. */
export type Condition =
  | { kind: 'unhealthy' }
  | { kind: 'exit' }
  | { kind: 'oom' }
  | { kind: 'restarts'; count: number; windowMs: number }
  | { kind: 'cpu' | 'memory'; percent: number }
  | { kind: 'disk'; percent: number }
  | { kind: 'component'; component?: string };

/** A rule as the API, the CLI and daemon.json give it (the condition as text, so it reads back as written). */
export interface AlertRuleInput {
  name: string;
  on: string;
  for?: string;
  webhook?: string;
  secret?: string;
  exec?: string;
  event?: boolean;
}

export interface AlertRule extends AlertRuleInput {
  condition: Condition;
  /** How long a metric condition must hold before it fires (ms); 0 = at once. */
  forMs: number;
  /** Where it came from: daemon.json rules cannot be removed through the API. */
  source: 'api' | 'config';
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;

function invalid(message: string): PolisError {
  return new PolisError('request.invalid', message);
}

/** Go durations as docker's flags take them: `500ms`, `30s`, `5m`, `1h30m`. */
export function parseDuration(text: string): number {
  const ms = parseGoDuration(text.trim());
  if (ms === undefined || ms < 0) {
    throw invalid(`invalid duration "${text}": use a number and ms, s, m or h (e.g. 30s)`);
  }
  return Math.round(ms);
}

function percent(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (!(n > 0 && n <= 100))
    throw invalid(`invalid ${what} threshold "${text}": use a percentage in (0, 100]`);
  return n;
}

/**
 * The condition language, kept small and close to words: `unhealthy`, `exit` (exited non-zero),
 * `oom`, `restarts N in T`, `cpu > X%`, `memory > X%`, `disk > X%`, `component [NAME] unhealthy`.
 */
export function parseCondition(text: string): Condition {
  const words = text.trim().toLowerCase().replace(/>/g, ' > ').split(/\s+/).filter(Boolean);
  const [head, ...rest] = words;
  switch (head) {
    case 'unhealthy':
    case 'oom':
      if (rest.length === 0) return { kind: head };
      break;
    case 'exit':
    case 'exit-nonzero':
    case 'die':
      if (rest.length === 0) return { kind: 'exit' };
      break;
    case 'restarts': {
      const [n, inWord, window] = rest;
      const count = Number(n);
      if (rest.length === 3 && inWord === 'in' && Number.isInteger(count) && count >= 1) {
        return { kind: 'restarts', count, windowMs: parseDuration(window!) };
      }
      break;
    }
    case 'cpu':
    case 'memory':
    case 'mem':
    case 'disk':
      if (rest.length === 2 && rest[0] === '>') {
        const kind = head === 'mem' ? 'memory' : head;
        return { kind, percent: percent(rest[1]!, kind) };
      }
      break;
    case 'component':
      if (rest.length === 1 && rest[0] === 'unhealthy') return { kind: 'component' };
      if (rest.length === 2 && rest[1] === 'unhealthy') return { kind: 'component', component: rest[0]! };
      break;
  }
  throw invalid(
    `invalid alert condition "${text}": use unhealthy, exit, oom, "restarts N in T", "cpu > X%", ` +
      '"memory > X%", "disk > X%" or "component [NAME] unhealthy"',
  );
}

/** Checks a rule as a whole: a name, a condition, at least one action, a webhook that is http(s). */
export function parseRule(input: unknown, source: AlertRule['source'] = 'api'): AlertRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalid('an alert rule must be an object');
  const r = input as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!['name', 'on', 'for', 'webhook', 'secret', 'exec', 'event'].includes(key)) {
      throw invalid(`unknown alert rule field "${key}"`);
    }
  }
  const str = (k: string): string | undefined => {
    const v = r[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw invalid(`alert rule field "${k}" must be a string`);
    return v;
  };
  const name = str('name');
  if (!name || !NAME.test(name))
    throw invalid(`invalid alert name "${name ?? ''}": use [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
  const on = str('on');
  if (!on) throw invalid('an alert rule needs a condition ("on")');
  const condition = parseCondition(on);
  const forText = str('for');
  const forMs = forText === undefined ? 0 : parseDuration(forText);
  // An event happens at one moment: "for" there would be read as a wait that never happens.
  if (forText !== undefined && !['cpu', 'memory', 'disk', 'component'].includes(condition.kind)) {
    throw invalid(`"for" applies to cpu, memory, disk and component conditions, not to "${on}"`);
  }
  const webhook = str('webhook');
  if (webhook !== undefined) {
    let url: URL;
    try {
      url = new URL(webhook);
    } catch {
      throw invalid(`invalid webhook URL "${webhook}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw invalid(`webhook URL must be http or https: ${webhook}`);
  }
  const secret = str('secret');
  if (secret !== undefined && webhook === undefined)
    throw invalid('a secret signs webhook bodies: give a webhook too');
  const exec = str('exec');
  if (r.event !== undefined && typeof r.event !== 'boolean')
    throw invalid('alert rule field "event" must be a boolean');
  const event = r.event === true;
  if (webhook === undefined && exec === undefined && !event) {
    throw invalid(`alert ${name} has no action: give a webhook, a command (exec) or event`);
  }
  return {
    name,
    on,
    condition,
    forMs,
    source,
    ...(forText !== undefined ? { for: forText } : {}),
    ...(webhook !== undefined ? { webhook } : {}),
    ...(secret !== undefined ? { secret } : {}),
    ...(exec !== undefined ? { exec } : {}),
    ...(event ? { event } : {}),
  };
}

/** A rule as `GET /polis/v1/alerts` shows it: the secret is never given back, only that there is one. */
export function publicRule(rule: AlertRule): Record<string, unknown> {
  const { condition: _c, forMs: _f, secret, ...rest } = rule;
  return { ...rest, ...(secret !== undefined ? { secret: true } : {}) };
}
