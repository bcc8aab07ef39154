import type { SecuritySpec, SpecStep } from '@polis/core';
import { withLinux } from './spec-parts.js';

/** Docker's default masked paths: hidden from the container (bind of /dev/null or an empty tmpfs). */
export const DEFAULT_MASKED_PATHS: readonly string[] = Object.freeze([
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
]);

/** Docker's default read-only paths. */
export const DEFAULT_READONLY_PATHS: readonly string[] = Object.freeze([
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
]);

/**
 * Masked and read-only paths: the user's lists when given (an empty list clears, as with Docker's
 * `systempaths=unconfined`), else Docker's defaults; a privileged container gets none.
 */
export function pathsStep(
  security: Pick<SecuritySpec, 'privileged' | 'maskedPaths' | 'readonlyPaths'>,
): SpecStep {
  const masked = security.privileged ? [] : [...(security.maskedPaths ?? DEFAULT_MASKED_PATHS)];
  const readonly = security.privileged ? [] : [...(security.readonlyPaths ?? DEFAULT_READONLY_PATHS)];
  return (spec) => withLinux(spec, { maskedPaths: [...masked], readonlyPaths: [...readonly] });
}
