import type { HealthConfig, ImageRunConfig } from '@polis/core';

/** Docker's defaults (daemon/health.go), in nanoseconds. */
export const HEALTH_DEFAULTS = {
  interval: 30e9,
  timeout: 30e9,
  startPeriod: 0,
  startInterval: 5e9,
  retries: 3,
};

/** Probe output kept per result, as Docker's `maxOutputLen`. */
export const MAX_OUTPUT = 4096;
/** Results kept in `State.Health.Log`. */
export const MAX_LOG = 5;

/**
 * The container's check merged with the image's, as Docker merges at create: an empty test takes the
 * image's test, and each zero duration or count takes the image's value.
 */
export function mergeHealth(
  own: HealthConfig | undefined,
  image: ImageRunConfig['Healthcheck'] | undefined,
): HealthConfig | undefined {
  if (!image) return own;
  const fromImage: HealthConfig = {
    test: image.Test ?? [],
    ...(image.Interval ? { interval: image.Interval } : {}),
    ...(image.Timeout ? { timeout: image.Timeout } : {}),
    ...(image.StartPeriod ? { startPeriod: image.StartPeriod } : {}),
    ...(image.StartInterval ? { startInterval: image.StartInterval } : {}),
    ...(image.Retries ? { retries: image.Retries } : {}),
  };
  if (!own) return fromImage;
  return {
    ...fromImage,
    ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined && v !== 0)),
    test: own.test.length > 0 ? own.test : fromImage.test,
  };
}

/** The command a probe runs, or undefined when there is no check (`NONE`, empty). */
export function probeCommand(config: HealthConfig | undefined): string[] | undefined {
  const test = config?.test ?? [];
  const [kind, ...rest] = test;
  if (kind === 'CMD' && rest.length > 0) return rest;
  if (kind === 'CMD-SHELL' && rest.length > 0) return ['/bin/sh', '-c', rest.join(' ')];
  return undefined;
}

export function healthTimings(config: HealthConfig): typeof HEALTH_DEFAULTS {
  return {
    interval: config.interval || HEALTH_DEFAULTS.interval,
    timeout: config.timeout || HEALTH_DEFAULTS.timeout,
    startPeriod: config.startPeriod || HEALTH_DEFAULTS.startPeriod,
    startInterval: config.startInterval || HEALTH_DEFAULTS.startInterval,
    retries: config.retries || HEALTH_DEFAULTS.retries,
  };
}
