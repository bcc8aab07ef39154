import type { HealthConfig, HealthOnFailure } from '@polis/core';
import { invalid } from '../http/errors.js';
import type { Fields } from './fields.js';

const MIN_DURATION = 1e6; // 1 ms, Docker's floor for the check's durations
const ON_FAILURE: readonly HealthOnFailure[] = ['none', 'kill', 'restart', 'stop'];

/**
 * `Config.Healthcheck` as Docker checks it (daemon/container.go): durations 0 (the default) or at least
 * 1 ms, retries not negative, a test that is empty (the image's), `NONE`, `CMD …` or `CMD-SHELL cmd`.
 * `OnFailure` is Polis's own (podman's `--health-on-failure`); the docker CLI never sends it.
 */
export function healthFrom(config: Fields): HealthConfig | undefined {
  if (config.raw('Healthcheck') === undefined || config.raw('Healthcheck') === null) return undefined;
  const h = config.child('Healthcheck');
  const test = h.strings('Test');
  const kind = test[0];
  if (test.length > 0 && kind !== 'NONE' && kind !== 'CMD' && kind !== 'CMD-SHELL')
    throw invalid(
      `invalid Healthcheck.Test: the first item must be NONE, CMD or CMD-SHELL, got ${JSON.stringify(kind)}`,
    );
  if ((kind === 'CMD' || kind === 'CMD-SHELL') && test.length < 2)
    throw invalid(`invalid Healthcheck.Test: ${kind} needs a command`);
  const out: HealthConfig = { test };
  for (const [key, field] of [
    ['Interval', 'interval'],
    ['Timeout', 'timeout'],
    ['StartPeriod', 'startPeriod'],
    ['StartInterval', 'startInterval'],
  ] as const) {
    const v = h.int(key);
    if (v === undefined || v === 0) continue;
    if (v < MIN_DURATION) throw invalid(`${key} in Healthcheck cannot be less than 1ms`);
    out[field] = v;
  }
  const retries = h.int('Retries');
  if (retries !== undefined && retries < 0) throw invalid('Retries in Healthcheck cannot be negative');
  if (retries) out.retries = retries;
  const onFailure = h.str('OnFailure');
  if (onFailure) {
    if (!ON_FAILURE.includes(onFailure as HealthOnFailure))
      throw invalid(
        `invalid Healthcheck.OnFailure ${JSON.stringify(onFailure)}: none, kill, restart or stop`,
      );
    out.onFailure = onFailure as HealthOnFailure;
  }
  return out;
}

/** The check as `Config.Healthcheck` shows it (Go's omitempty: zero fields left out). */
export function healthcheckShape(h: HealthConfig | undefined): Record<string, unknown> | undefined {
  if (!h) return undefined;
  return {
    Test: h.test,
    ...(h.interval ? { Interval: h.interval } : {}),
    ...(h.timeout ? { Timeout: h.timeout } : {}),
    ...(h.startPeriod ? { StartPeriod: h.startPeriod } : {}),
    ...(h.startInterval ? { StartInterval: h.startInterval } : {}),
    ...(h.retries ? { Retries: h.retries } : {}),
    ...(h.onFailure ? { OnFailure: h.onFailure } : {}),
  };
}
