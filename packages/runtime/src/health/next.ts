import type { HealthConfig, HealthProbeResult, HealthState } from '@polis/core';
import { MAX_LOG, healthTimings } from './config.js';

/**
 * The state after one probe, by Docker's rules (daemon/health.go, handleProbeResult): success makes
 * the container healthy and clears the streak; a failure adds to the streak (not while still starting
 * within the start period) and RETRIES failures in a row make it unhealthy. The log keeps five.
 */
export function nextHealth(
  state: HealthState,
  result: HealthProbeResult,
  config: HealthConfig,
  startedAt: string,
): HealthState {
  const log = [...state.log, result].slice(-MAX_LOG);
  if (result.exitCode === 0) return { status: 'healthy', failingStreak: 0, log };
  const { startPeriod, retries } = healthTimings(config);
  const sinceStartNs = (Date.parse(result.start) - Date.parse(startedAt)) * 1e6;
  if (state.status === 'starting' && sinceStartNs < startPeriod) return { ...state, log };
  const failingStreak = state.failingStreak + 1;
  return { status: failingStreak >= retries ? 'unhealthy' : state.status, failingStreak, log };
}

/** The wait before the next probe: the start interval while starting within the start period. */
export function nextDelayMs(
  state: HealthState,
  config: HealthConfig,
  startedAt: string,
  now = Date.now(),
): number {
  const t = healthTimings(config);
  const inStartPeriod = (now - Date.parse(startedAt)) * 1e6 < t.startPeriod;
  return (state.status === 'starting' && inStartPeriod ? t.startInterval : t.interval) / 1e6;
}
