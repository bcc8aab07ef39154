import { isPolisError, parseBytes, PolisError } from '@polis/core';
import type { Reservation } from './types.js';

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A compose service (after interpolation) → what the scheduler reserves for each of its replicas:
 * deploy.resources.reservations.cpus ("0.5" or 0.5) and .memory ("512M", "1g", "1.5GiB" or bytes; v2's
 * mem_reservation when deploy says nothing), `x-polis-priority` (a whole number, default 0) and
 * `x-polis-exclusive-cpus` (true: whole CPUs of its own, so cpus must be a whole number ≥ 1). Errors
 * name the service (when given) and the key.
 */
export function parseReservation(service: unknown, serviceName?: string): Reservation {
  const where = serviceName === undefined ? 'service' : `service "${serviceName}"`;
  const bad = (key: string, message: string): PolisError =>
    new PolisError('request.invalid', `${where}: ${key} ${message}`, {
      context: serviceName === undefined ? {} : { service: serviceName },
    });
  if (!isMapping(service)) throw new PolisError('request.invalid', `${where} must be a mapping`);
  const deploy = service['deploy'];
  const resources = isMapping(deploy) ? deploy['resources'] : undefined;
  const reservations = isMapping(resources) ? resources['reservations'] : undefined;
  const r = isMapping(reservations) ? reservations : {};

  let cpus = 0;
  const rawCpus = r['cpus'];
  if (rawCpus !== undefined) {
    cpus =
      typeof rawCpus === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(rawCpus)
        ? Number(rawCpus)
        : (rawCpus as number);
    if (typeof cpus !== 'number' || !Number.isFinite(cpus) || cpus < 0)
      throw bad(
        'deploy.resources.reservations.cpus',
        `must be a number of CPUs ≥ 0 (got ${JSON.stringify(rawCpus)})`,
      );
  }

  let memoryBytes = 0;
  const memKey = r['memory'] !== undefined ? 'deploy.resources.reservations.memory' : 'mem_reservation';
  const rawMemory = r['memory'] ?? service['mem_reservation'];
  if (rawMemory !== undefined) {
    if (typeof rawMemory === 'number' && Number.isInteger(rawMemory) && rawMemory >= 0)
      memoryBytes = rawMemory;
    else if (typeof rawMemory === 'string') {
      try {
        memoryBytes = parseBytes(rawMemory.trim());
      } catch (err) {
        if (!isPolisError(err)) throw err;
        throw bad(memKey, `must be a size like "512M" or "1g" (got ${JSON.stringify(rawMemory)})`);
      }
    } else throw bad(memKey, `must be a size like "512M" or "1g" (got ${JSON.stringify(rawMemory)})`);
  }

  let priority = 0;
  const rawPriority = service['x-polis-priority'];
  if (rawPriority !== undefined) {
    priority =
      typeof rawPriority === 'string' && /^\s*-?\d+\s*$/.test(rawPriority)
        ? Number(rawPriority)
        : (rawPriority as number);
    if (typeof priority !== 'number' || !Number.isSafeInteger(priority))
      throw bad('x-polis-priority', `must be a whole number (got ${JSON.stringify(rawPriority)})`);
  }

  let exclusiveCpus = false;
  const rawExclusive = service['x-polis-exclusive-cpus'];
  if (rawExclusive !== undefined) {
    if (rawExclusive === true || rawExclusive === 'true') exclusiveCpus = true;
    else if (rawExclusive === false || rawExclusive === 'false') exclusiveCpus = false;
    else throw bad('x-polis-exclusive-cpus', `must be true or false (got ${JSON.stringify(rawExclusive)})`);
    if (exclusiveCpus && !(Number.isInteger(cpus) && cpus >= 1))
      throw bad(
        'x-polis-exclusive-cpus',
        `needs deploy.resources.reservations.cpus to be a whole number of CPUs ≥ 1 (got ${JSON.stringify(rawCpus ?? 0)})`,
      );
  }
  return { cpus, memoryBytes, priority, exclusiveCpus };
}
