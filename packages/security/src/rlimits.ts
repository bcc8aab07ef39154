import { PolisError, type Rlimit, type SpecStep, type Ulimit } from '@polis/core';
import { withProcess } from './spec-parts.js';

/** `--ulimit` names (as Docker's go-units knows them) and their rlimit types. */
export const ULIMIT_TYPES: Readonly<Record<string, string>> = {
  as: 'RLIMIT_AS',
  core: 'RLIMIT_CORE',
  cpu: 'RLIMIT_CPU',
  data: 'RLIMIT_DATA',
  fsize: 'RLIMIT_FSIZE',
  locks: 'RLIMIT_LOCKS',
  memlock: 'RLIMIT_MEMLOCK',
  msgqueue: 'RLIMIT_MSGQUEUE',
  nice: 'RLIMIT_NICE',
  nofile: 'RLIMIT_NOFILE',
  nproc: 'RLIMIT_NPROC',
  rss: 'RLIMIT_RSS',
  rtprio: 'RLIMIT_RTPRIO',
  rttime: 'RLIMIT_RTTIME',
  sigpending: 'RLIMIT_SIGPENDING',
  stack: 'RLIMIT_STACK',
};

/** Open files a Docker container gets by default (dockerd's own limit, inherited). */
export const DEFAULT_NOFILE = 1_048_576;

/**
 * The daemon's current hard limits by rlimit type (`RLIMIT_NOFILE`), read by the caller from
 * /proc/self/limits; a type left out is taken as unlimited.
 */
export type HostHardLimits = Readonly<Record<string, number>>;

function merge(current: readonly Rlimit[] | undefined, add: readonly Rlimit[]): Rlimit[] {
  const types = new Set(add.map((r) => r.type));
  return [...(current ?? []).filter((r) => !types.has(r.type)), ...add.map((r) => ({ ...r }))];
}

/**
 * Docker's default RLIMIT_NOFILE, lowered to the host's hard limit: without CAP_SYS_RESOURCE a
 * runtime cannot raise a hard limit, and the container would fail to start.
 */
export function defaultRlimitsStep(host: HostHardLimits): SpecStep {
  const nofile = Math.min(DEFAULT_NOFILE, host.RLIMIT_NOFILE ?? DEFAULT_NOFILE);
  return (spec) =>
    withProcess(spec, {
      rlimits: merge(spec.process?.rlimits, [{ type: 'RLIMIT_NOFILE', soft: nofile, hard: nofile }]),
    });
}

function toRlimit(u: Ulimit): Rlimit {
  const type = ULIMIT_TYPES[u.name.toLowerCase()];
  if (!type) {
    throw new PolisError('request.invalid', `invalid ulimit type: ${u.name}`, {
      context: { ulimit: u.name },
    });
  }
  for (const v of [u.soft, u.hard]) {
    // OCI limits are unsigned 64-bit: Docker's -1 (unlimited) has no exact JSON number in JavaScript.
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new PolisError('request.invalid', `invalid ulimit ${u.name}: values must be integers from 0`, {
        context: { ulimit: u.name, soft: u.soft, hard: u.hard },
      });
    }
  }
  if (u.soft > u.hard) {
    throw new PolisError(
      'request.invalid',
      `ulimit soft limit must be less than or equal to hard limit: ${u.soft} > ${u.hard}`,
      { context: { ulimit: u.name } },
    );
  }
  return { type, soft: u.soft, hard: u.hard };
}

/** The user's `--ulimit` values, as given; they replace defaults of the same type. */
export function ulimitsStep(ulimits: readonly Ulimit[]): SpecStep {
  // A name given twice: the last one wins, as with repeated flags.
  const rlimits = [
    ...new Map(ulimits.map((u) => [ULIMIT_TYPES[u.name.toLowerCase()], toRlimit(u)])).values(),
  ];
  return (spec) =>
    rlimits.length ? withProcess(spec, { rlimits: merge(spec.process?.rlimits, rlimits) }) : spec;
}
