import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createScheduler } from './create-scheduler.js';
import { hostCapacity } from './host-capacity.js';
import { parseReservation } from './parse-reservation.js';

// The scheduling scenario, at the scheduler's level and against this host's real memory: a stack
// whose reservations do not fit beside another one stays pending with its reason, and starts once the
// other stack is removed.
it('a replica reserving past the host memory stays pending, and is admitted once another stack is removed', (t) => {
  const capacity = hostCapacity({ headroomMemoryBytes: 256 * 1024 ** 2 });
  const s = createScheduler(capacity);
  const mib = (fraction: number): string => `${Math.floor((capacity.memoryBytes * fraction) / 1024 ** 2)}M`;
  const big = parseReservation({ deploy: { resources: { reservations: { memory: mib(0.3) } } } }, 'db');
  for (let i = 1; i <= 2; i++)
    assert.deepEqual(s.admit({ key: `first/db/${i}`, reservation: big }), { admitted: true });
  const later = parseReservation({ deploy: { resources: { reservations: { memory: mib(0.5) } } } }, 'cache');
  const pending = s.admit({ key: 'second/cache/1', reservation: later });
  assert.equal(pending.admitted, false);
  if (pending.admitted) return;
  t.diagnostic(pending.reason);
  assert.match(
    pending.reason,
    /^0\/1 hosts available: insufficient memory \(requested [\d.]+GiB, free [\d.]+GiB of [\d.]+GiB\)$/,
  );
  assert.equal(pending.preempt, undefined, 'same priority: nothing to preempt');
  for (const p of s.placed().filter((x) => x.key.startsWith('first/'))) s.release(p.key);
  assert.deepEqual(s.admit({ key: 'second/cache/1', reservation: later }), { admitted: true });
});
