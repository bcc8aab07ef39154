import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseReservation } from './parse-reservation.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const svc = (reservations: unknown, extra: Record<string, unknown> = {}): unknown => ({
  image: 'nginx',
  deploy: { resources: { reservations, limits: { cpus: '4', memory: '8g' } } },
  ...extra,
});

describe('parseReservation', () => {
  it('reads cpus and memory in compose units; limits are not reservations', () => {
    assert.deepEqual(parseReservation(svc({ cpus: '0.5', memory: '512M' }), 'web'), {
      cpus: 0.5,
      memoryBytes: 512 * MiB,
      priority: 0,
      exclusiveCpus: false,
    });
    assert.equal(parseReservation(svc({ memory: '1g' })).memoryBytes, GiB);
    assert.equal(parseReservation(svc({ memory: '1.5GiB' })).memoryBytes, 1.5 * GiB);
    assert.equal(parseReservation(svc({ memory: '100kb' })).memoryBytes, 100 * 1024);
    assert.equal(parseReservation(svc({ memory: 1048576 })).memoryBytes, MiB);
    assert.equal(parseReservation(svc({ cpus: 2 })).cpus, 2);
  });

  it('no deploy section: nothing reserved; v2 mem_reservation is taken', () => {
    assert.deepEqual(parseReservation({ image: 'x' }), {
      cpus: 0,
      memoryBytes: 0,
      priority: 0,
      exclusiveCpus: false,
    });
    assert.equal(parseReservation({ image: 'x', mem_reservation: '256m' }).memoryBytes, 256 * MiB);
  });

  it('priority and exclusive CPUs from the x-polis extensions', () => {
    assert.deepEqual(
      parseReservation(
        svc({ cpus: '2' }, { 'x-polis-priority': '10', 'x-polis-exclusive-cpus': true }),
        'calc',
      ),
      {
        cpus: 2,
        memoryBytes: 0,
        priority: 10,
        exclusiveCpus: true,
      },
    );
    assert.equal(parseReservation(svc({}, { 'x-polis-priority': -5 })).priority, -5);
    assert.equal(
      parseReservation(svc({ cpus: 1 }, { 'x-polis-exclusive-cpus': 'false' })).exclusiveCpus,
      false,
    );
  });

  it('bad input: errors name the service and the key', () => {
    const cases: [unknown, string][] = [
      [
        svc({ cpus: 'lots' }),
        'service "web": deploy.resources.reservations.cpus must be a number of CPUs ≥ 0 (got "lots")',
      ],
      [
        svc({ cpus: -1 }),
        'service "web": deploy.resources.reservations.cpus must be a number of CPUs ≥ 0 (got -1)',
      ],
      [
        svc({ memory: '12 parsecs' }),
        'service "web": deploy.resources.reservations.memory must be a size like "512M" or "1g" (got "12 parsecs")',
      ],
      [
        { mem_reservation: true },
        'service "web": mem_reservation must be a size like "512M" or "1g" (got true)',
      ],
      [
        svc({}, { 'x-polis-priority': 1.5 }),
        'service "web": x-polis-priority must be a whole number (got 1.5)',
      ],
      [
        svc({}, { 'x-polis-exclusive-cpus': 'yes' }),
        'service "web": x-polis-exclusive-cpus must be true or false (got "yes")',
      ],
      [
        svc({ cpus: '0.5' }, { 'x-polis-exclusive-cpus': true }),
        'service "web": x-polis-exclusive-cpus needs deploy.resources.reservations.cpus to be a whole number of CPUs ≥ 1 (got "0.5")',
      ],
      [
        svc({}, { 'x-polis-exclusive-cpus': true }),
        'service "web": x-polis-exclusive-cpus needs deploy.resources.reservations.cpus to be a whole number of CPUs ≥ 1 (got 0)',
      ],
      ['nginx', 'service "web" must be a mapping'],
    ];
    for (const [raw, message] of cases)
      assert.throws(() => parseReservation(raw, 'web'), { code: 'request.invalid', message });
  });
});
