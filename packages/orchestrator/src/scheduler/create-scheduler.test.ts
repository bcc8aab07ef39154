import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createScheduler } from './create-scheduler.js';
import type { Admission, Reservation } from './types.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const res = (r: Partial<Reservation>): Reservation => ({
  cpus: 0,
  memoryBytes: 0,
  priority: 0,
  exclusiveCpus: false,
  ...r,
});
const pending = (a: Admission): { reason: string; preempt?: string[] } => {
  assert.equal(a.admitted, false, 'expected the replica to stay pending');
  return a as { reason: string; preempt?: string[] };
};

describe('scheduler: admission by reservations', () => {
  it('admits what fits and keeps later replicas pending with the reason in Kubernetes words', () => {
    const s = createScheduler({ cpus: 2, memoryBytes: 3.8 * GiB });
    assert.deepEqual(s.admit({ key: 'a/web/1', reservation: res({ memoryBytes: 2.6 * GiB }) }), {
      admitted: true,
    });
    const a = pending(s.admit({ key: 'a/web/2', reservation: res({ memoryBytes: 3 * GiB }) }));
    assert.equal(
      a.reason,
      '0/1 hosts available: insufficient memory (requested 3.0GiB, free 1.2GiB of 3.8GiB)',
    );
    assert.equal(a.preempt, undefined);
    assert.deepEqual(
      s.placed().map((p) => p.key),
      ['a/web/1'],
    );
  });

  it('counts CPUs exactly (tenths add up) and names every resource that is short', () => {
    const s = createScheduler({ cpus: 1, memoryBytes: GiB });
    for (let i = 1; i <= 10; i++)
      assert.equal(
        s.admit({ key: `a/w/${i}`, reservation: res({ cpus: 0.1, memoryBytes: 50 * MiB }) }).admitted,
        true,
        `replica ${i}`,
      );
    const a = pending(s.admit({ key: 'a/w/11', reservation: res({ cpus: 0.1, memoryBytes: 600 * MiB }) }));
    assert.equal(
      a.reason,
      '0/1 hosts available: insufficient cpu (requested 0.1, free 0 of 1), insufficient memory (requested 600.0MiB, free 524.0MiB of 1.0GiB)',
    );
  });

  it('a request larger than the whole host says so, and proposes no preemption', () => {
    const s = createScheduler({ cpus: 2, memoryBytes: 4 * GiB });
    s.admit({ key: 'low/x/1', reservation: res({ memoryBytes: GiB, priority: 0 }) });
    const a = pending(s.admit({ key: 'hi/x/1', reservation: res({ cpus: 3, priority: 10 }) }));
    assert.equal(a.reason, '0/1 hosts available: insufficient cpu (requested 3, the host has 2)');
    assert.equal(a.preempt, undefined);
  });

  it('a released replica gives its room back; a pending one starts once room appears', () => {
    const s = createScheduler({ cpus: 2, memoryBytes: 4 * GiB });
    s.admit({ key: 'one/db/1', reservation: res({ memoryBytes: 3 * GiB }) });
    const req = { key: 'two/db/1', reservation: res({ memoryBytes: 2 * GiB }) };
    assert.equal(s.admit(req).admitted, false);
    s.release('one/db/1');
    assert.deepEqual(s.admit(req), { admitted: true });
    s.release('not/there/1'); // releasing an unknown key is harmless
    assert.deepEqual(
      s.placed().map((p) => p.key),
      ['two/db/1'],
    );
  });

  it('asking again for a placed replica keeps its place and does not count it twice', () => {
    const s = createScheduler({ cpus: 2, memoryBytes: 2 * GiB, cpuIds: [0, 1] });
    const req = { key: 'a/w/1', reservation: res({ cpus: 1, memoryBytes: GiB, exclusiveCpus: true }) };
    assert.deepEqual(s.admit(req), { admitted: true, cpuset: '0' });
    assert.deepEqual(s.admit(req), { admitted: true, cpuset: '0' });
    assert.equal(s.placed().length, 1);
    assert.deepEqual(s.admit({ key: 'a/w/2', reservation: res({ memoryBytes: GiB }) }), { admitted: true });
  });

  it('placed() returns copies: changing them does not change the scheduler', () => {
    const s = createScheduler({ cpus: 1, memoryBytes: GiB });
    s.admit({ key: 'a/w/1', reservation: res({ memoryBytes: 512 * MiB }) });
    const [p] = s.placed();
    (p as { reservation: Reservation }).reservation.memoryBytes = 0;
    assert.equal(s.admit({ key: 'a/w/2', reservation: res({ memoryBytes: 768 * MiB }) }).admitted, false);
  });

  it('zero reservations always fit, as a pod without requests does', () => {
    const s = createScheduler({ cpus: 1, memoryBytes: GiB });
    s.admit({ key: 'a/big/1', reservation: res({ cpus: 1, memoryBytes: GiB }) });
    for (let i = 1; i <= 5; i++)
      assert.deepEqual(s.admit({ key: `a/small/${i}`, reservation: res({}) }), { admitted: true });
  });

  it('rejects nonsense reservations with a reason instead of placing them', () => {
    const s = createScheduler({ cpus: 4, memoryBytes: GiB });
    assert.match(
      pending(s.admit({ key: 'a/w/1', reservation: res({ cpus: -1 }) })).reason,
      /invalid reservation/,
    );
    assert.match(
      pending(s.admit({ key: 'a/w/2', reservation: res({ memoryBytes: NaN }) })).reason,
      /invalid reservation/,
    );
    assert.equal(s.placed().length, 0);
  });
});

describe('scheduler: exclusive cpusets', () => {
  it('gives each exclusive replica whole CPUs of its own and never shares them', () => {
    const s = createScheduler({ cpus: 4, memoryBytes: 8 * GiB, cpuIds: [0, 1, 2, 3] });
    assert.deepEqual(s.admit({ key: 'a/calc/1', reservation: res({ cpus: 2, exclusiveCpus: true }) }), {
      admitted: true,
      cpuset: '0-1',
    });
    assert.deepEqual(s.admit({ key: 'a/calc/2', reservation: res({ cpus: 1, exclusiveCpus: true }) }), {
      admitted: true,
      cpuset: '2',
    });
    const a = pending(s.admit({ key: 'a/calc/3', reservation: res({ cpus: 2, exclusiveCpus: true }) }));
    assert.match(a.reason, /insufficient exclusive cpus \(requested 2, free 1 of 4\)/);
    s.release('a/calc/1');
    // The freed CPUs go to the next exclusive replica.
    assert.deepEqual(s.admit({ key: 'a/calc/3', reservation: res({ cpus: 2, exclusiveCpus: true }) }), {
      admitted: true,
      cpuset: '0-1',
    });
    assert.deepEqual(s.admit({ key: 'a/calc/4', reservation: res({ cpus: 1, exclusiveCpus: true }) }), {
      admitted: true,
      cpuset: '3',
    });
  });

  it('cuts cpusets from the CPUs the host offers (holes and headroom) and writes them as lists', () => {
    const s = createScheduler({ cpus: 3, memoryBytes: GiB, cpuIds: [1, 2, 5] });
    assert.deepEqual(s.admit({ key: 'a/x/1', reservation: res({ cpus: 3, exclusiveCpus: true }) }), {
      admitted: true,
      cpuset: '1-2,5',
    });
  });

  it('exclusive CPUs count against the shared CPU total too', () => {
    const s = createScheduler({ cpus: 2, memoryBytes: GiB, cpuIds: [0, 1] });
    s.admit({ key: 'a/x/1', reservation: res({ cpus: 1, exclusiveCpus: true }) });
    s.admit({ key: 'a/y/1', reservation: res({ cpus: 0.5 }) });
    const a = pending(s.admit({ key: 'a/z/1', reservation: res({ cpus: 1 }) }));
    assert.match(a.reason, /insufficient cpu \(requested 1, free 0\.5 of 2\)/);
    // A shared replica filling the remaining half leaves no whole CPU for another exclusive one.
    s.admit({ key: 'a/y/2', reservation: res({ cpus: 0.5 }) });
    assert.match(
      pending(s.admit({ key: 'a/x/2', reservation: res({ cpus: 1, exclusiveCpus: true }) })).reason,
      /insufficient cpu/,
    );
  });

  it('exclusive CPUs need a whole number', () => {
    const s = createScheduler({ cpus: 4, memoryBytes: GiB });
    assert.equal(
      pending(s.admit({ key: 'a/x/1', reservation: res({ cpus: 1.5, exclusiveCpus: true }) })).reason,
      '0/1 hosts available: exclusive cpus need a whole number of cpus (requested 1.5)',
    );
    assert.match(
      pending(s.admit({ key: 'a/x/2', reservation: res({ cpus: 0, exclusiveCpus: true }) })).reason,
      /whole number/,
    );
  });
});

describe('scheduler: priorities and preemption', () => {
  const full = () => {
    const s = createScheduler({ cpus: 4, memoryBytes: 4 * GiB, cpuIds: [0, 1, 2, 3] });
    s.admit({ key: 'batch/job/1', reservation: res({ memoryBytes: GiB, priority: 0 }) });
    s.admit({ key: 'batch/job/2', reservation: res({ memoryBytes: GiB, priority: 0 }) });
    s.admit({ key: 'cache/redis/1', reservation: res({ memoryBytes: 2 * GiB, priority: 5 }) });
    return s;
  };

  it('proposes the lowest-priority replicas, highest replica number first, and only as many as needed', () => {
    const s = full();
    const a = pending(s.admit({ key: 'shop/web/1', reservation: res({ memoryBytes: GiB, priority: 10 }) }));
    assert.deepEqual(a.preempt, ['batch/job/2']);
    assert.match(
      a.reason,
      /insufficient memory \(requested 1\.0GiB, free 0B of 4\.0GiB\); preempting 1 lower-priority replica would make room$/,
    );
    // Nothing moved until the caller stops the victims and releases them.
    assert.equal(s.placed().length, 3);
    for (const key of a.preempt ?? []) s.release(key);
    assert.deepEqual(s.admit({ key: 'shop/web/1', reservation: res({ memoryBytes: GiB, priority: 10 }) }), {
      admitted: true,
    });
  });

  it('prefers one large lower-priority victim over several small ones of the same priority', () => {
    const s = createScheduler({ cpus: 4, memoryBytes: 4 * GiB });
    s.admit({ key: 'b/small/1', reservation: res({ memoryBytes: GiB }) });
    s.admit({ key: 'b/small/2', reservation: res({ memoryBytes: GiB }) });
    s.admit({ key: 'b/large/1', reservation: res({ memoryBytes: 2 * GiB }) });
    const a = pending(s.admit({ key: 'h/x/1', reservation: res({ memoryBytes: 2 * GiB, priority: 1 }) }));
    assert.deepEqual(a.preempt, ['b/large/1']);
  });

  it('takes lower priorities before higher ones, and spares a victim that turns out not to be needed', () => {
    const s = full();
    // 3 GiB: both batch jobs (2 GiB) are not enough; redis (priority 5) must go, and then one job is spared.
    const a = pending(
      s.admit({ key: 'shop/web/1', reservation: res({ memoryBytes: 3 * GiB, priority: 10 }) }),
    );
    assert.deepEqual(a.preempt, ['batch/job/2', 'cache/redis/1']);
  });

  it('never preempts equal or higher priorities', () => {
    const s = full();
    const a = pending(s.admit({ key: 'x/y/1', reservation: res({ memoryBytes: GiB, priority: 0 }) }));
    assert.equal(a.preempt, undefined);
    const b = pending(s.admit({ key: 'x/y/1', reservation: res({ memoryBytes: 3 * GiB, priority: 3 }) }));
    assert.equal(b.preempt, undefined, 'the 2 GiB of priority 0 are not enough and redis is higher');
  });

  it('preempts exclusive replicas to free whole CPUs', () => {
    const s = createScheduler({ cpus: 2, memoryBytes: 4 * GiB, cpuIds: [0, 1] });
    s.admit({ key: 'low/x/1', reservation: res({ cpus: 1, exclusiveCpus: true }) });
    s.admit({ key: 'mid/y/1', reservation: res({ cpus: 1, exclusiveCpus: true, priority: 3 }) });
    const a = pending(
      s.admit({ key: 'hi/z/1', reservation: res({ cpus: 1, exclusiveCpus: true, priority: 9 }) }),
    );
    assert.deepEqual(a.preempt, ['low/x/1']);
    s.release('low/x/1');
    assert.deepEqual(
      s.admit({ key: 'hi/z/1', reservation: res({ cpus: 1, exclusiveCpus: true, priority: 9 }) }),
      {
        admitted: true,
        cpuset: '0',
      },
    );
  });

  it('is deterministic: the same sequence of calls gives the same answers', () => {
    const run = (): unknown[] => {
      const s = createScheduler({ cpus: 8, memoryBytes: 16 * GiB, cpuIds: [0, 1, 2, 3, 4, 5, 6, 7] });
      const out: unknown[] = [];
      for (let i = 1; i <= 12; i++)
        out.push(
          s.admit({
            key: `s${i % 3}/svc/${i}`,
            reservation: res({
              cpus: (i % 4) + (i % 2 ? 0 : 0.5),
              memoryBytes: (i % 5) * GiB,
              priority: i % 4,
              exclusiveCpus: i % 5 === 0,
            }),
          }),
        );
      out.push(s.placed());
      return out;
    };
    assert.deepEqual(run(), run());
  });
});
