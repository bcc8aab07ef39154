/** The health check flags of run/create (docker's, plus podman's --health-on-failure). */
import type { HealthcheckConfig } from '@polis/sdk/engine';
import { bool, int, str, type FlagSpec, type Parsed } from '../flags.js';
import { parseGoDuration } from '../format/units.js';

export const HEALTH_FLAGS: FlagSpec[] = [
  { name: 'health-cmd', type: 'string', help: 'Command to run to check health' },
  { name: 'health-interval', type: 'string', help: 'Time between running the check (ms|s|m|h) (default 0s)' },
  { name: 'health-retries', type: 'int', help: 'Consecutive failures needed to report unhealthy' },
  {
    name: 'health-start-period',
    type: 'string',
    help: 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)',
  },
  {
    name: 'health-start-interval',
    type: 'string',
    help: 'Time between running the check during the start period (ms|s|m|h) (default 0s)',
  },
  {
    name: 'health-timeout',
    type: 'string',
    help: 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)',
  },
  {
    name: 'health-on-failure',
    type: 'string',
    help: 'Action when the container turns unhealthy: none, kill, restart or stop (default none)',
  },
  { name: 'no-healthcheck', type: 'bool', help: 'Disable any container-specified HEALTHCHECK' },
];

function nanos(p: Parsed, flag: string): number | undefined {
  const text = str(p, flag);
  if (text === undefined) return undefined;
  const ms = parseGoDuration(text);
  if (ms === undefined)
    throw new Error(`invalid argument "${text}" for "--${flag}" flag: time: invalid duration "${text}"`);
  if (ms < 0) throw new Error(`--${flag} cannot be negative`);
  return Math.round(ms * 1e6);
}

/** docker's rules: `--no-healthcheck` conflicts with the other health flags; a command is CMD-SHELL. */
export function healthcheckOf(p: Parsed): HealthcheckConfig | undefined {
  const cmd = str(p, 'health-cmd');
  const interval = nanos(p, 'health-interval');
  const timeout = nanos(p, 'health-timeout');
  const startPeriod = nanos(p, 'health-start-period');
  const startInterval = nanos(p, 'health-start-interval');
  const retries = int(p, 'health-retries');
  const onFailure = str(p, 'health-on-failure') as HealthcheckConfig['OnFailure'] | undefined;
  const any =
    cmd !== undefined ||
    interval !== undefined ||
    timeout !== undefined ||
    startPeriod !== undefined ||
    startInterval !== undefined ||
    retries !== undefined ||
    onFailure !== undefined;
  if (bool(p, 'no-healthcheck')) {
    if (any) throw new Error('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  if (retries !== undefined && retries < 0) throw new Error('--health-retries cannot be negative');
  return {
    ...(cmd !== undefined ? { Test: ['CMD-SHELL', cmd] } : {}),
    ...(interval ? { Interval: interval } : {}),
    ...(timeout ? { Timeout: timeout } : {}),
    ...(startPeriod ? { StartPeriod: startPeriod } : {}),
    ...(startInterval ? { StartInterval: startInterval } : {}),
    ...(retries ? { Retries: retries } : {}),
    ...(onFailure ? { OnFailure: onFailure } : {}),
  };
}
