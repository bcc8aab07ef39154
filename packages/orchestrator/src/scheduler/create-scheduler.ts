import { formatCpuList } from './cpu-list.js';
import { formatBytes, formatCpus } from './quantities.js';
import type { Admission, HostCapacity, PlacementRequest, Reservation, Scheduler } from './types.js';

/** One admitted replica: its request, and the CPUs it holds alone when it asked for exclusive ones. */
interface Placement {
  request: PlacementRequest;
  milliCpus: number;
  exclusive: number[];
}

/** What is free now, or would be once some replicas were gone. */
interface Free {
  milliCpus: number;
  memoryBytes: number;
  exclusiveIds: number[];
}

// CPUs are counted in millicores so that 0.1 + 0.2 reservations add up exactly.
const milli = (cpus: number): number => Math.round(cpus * 1000);

const byKey = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

/**
 * One host's admission of replicas by their reservations (issue 13, item 5), Kubernetes' scheduler cut down
 * to a node: a replica is admitted when its CPUs and memory fit in what other admitted replicas leave;
 * exclusive replicas also get whole CPUs no other exclusive replica holds. When a replica does not fit and
 * lower-priority replicas hold enough, the answer names the fewest, lowest-priority ones to preempt; the
 * caller stops them, releases them and asks again. Pure and deterministic: the same calls give the same
 * answers.
 */
export function createScheduler(capacity: HostCapacity): Scheduler {
  const totalMilli = milli(capacity.cpus);
  const cpuIds = [
    ...(capacity.cpuIds ?? Array.from({ length: Math.floor(capacity.cpus) }, (_, i) => i)),
  ].sort((a, b) => a - b);
  // Admission order, so placed() and preemption ties read the same every time.
  const placements = new Map<string, Placement>();

  const freeWithout = (gone: ReadonlySet<string>): Free => {
    let usedMilli = 0;
    let usedMemory = 0;
    const taken = new Set<number>();
    for (const [key, p] of placements) {
      if (gone.has(key)) continue;
      usedMilli += p.milliCpus;
      usedMemory += p.request.reservation.memoryBytes;
      for (const id of p.exclusive) taken.add(id);
    }
    return {
      milliCpus: totalMilli - usedMilli,
      memoryBytes: capacity.memoryBytes - usedMemory,
      exclusiveIds: cpuIds.filter((id) => !taken.has(id)),
    };
  };

  // `whole`: measured against the empty host, so the words say the request can never fit.
  const shortfalls = (r: Reservation, free: Free, whole = false): string[] => {
    const words: string[] = [];
    const of = (requested: string, freeNow: string, total: string): string =>
      whole
        ? `(requested ${requested}, the host has ${total})`
        : `(requested ${requested}, free ${freeNow} of ${total})`;
    if (milli(r.cpus) > free.milliCpus)
      words.push(
        `insufficient cpu ${of(formatCpus(r.cpus), formatCpus(Math.max(0, free.milliCpus) / 1000), formatCpus(capacity.cpus))}`,
      );
    if (r.memoryBytes > free.memoryBytes)
      words.push(
        `insufficient memory ${of(formatBytes(r.memoryBytes), formatBytes(Math.max(0, free.memoryBytes)), formatBytes(capacity.memoryBytes))}`,
      );
    if (r.exclusiveCpus && r.cpus > free.exclusiveIds.length)
      words.push(
        `insufficient exclusive cpus ${of(String(r.cpus), String(free.exclusiveIds.length), String(cpuIds.length))}`,
      );
    return words;
  };

  // A request no emptying of the host would fit: waiting or preempting cannot help.
  const neverFits = (r: Reservation): string | undefined => {
    if (!(Number.isFinite(r.cpus) && r.cpus >= 0 && Number.isFinite(r.memoryBytes) && r.memoryBytes >= 0))
      return `invalid reservation (cpus ${r.cpus}, memory ${r.memoryBytes})`;
    if (r.exclusiveCpus && (!Number.isInteger(r.cpus) || r.cpus < 1))
      return `exclusive cpus need a whole number of cpus (requested ${formatCpus(r.cpus)})`;
    const empty: Free = { milliCpus: totalMilli, memoryBytes: capacity.memoryBytes, exclusiveIds: cpuIds };
    const words = shortfalls(r, empty, true);
    return words.length ? words.join(', ') : undefined;
  };

  const fits = (r: Reservation, gone: ReadonlySet<string>): boolean =>
    shortfalls(r, freeWithout(gone)).length === 0;

  /**
   * Lower-priority victims whose release makes room: lowest priority first, then those freeing most of
   * what is short, then the highest replica numbers (the ones a scale-down would take); then, as the
   * Kubernetes preemptor's reprieve, each victim that is not needed after all is spared, highest first.
   */
  const chooseVictims = (request: PlacementRequest): string[] | undefined => {
    const r = request.reservation;
    const candidates = [...placements.values()].filter((p) => p.request.reservation.priority < r.priority);
    if (!fits(r, new Set(candidates.map((p) => p.request.key)))) return undefined;
    const free = freeWithout(new Set());
    const shortCpu = Math.max(0, milli(r.cpus) - free.milliCpus);
    const shortMemory = Math.max(0, r.memoryBytes - free.memoryBytes);
    const shortExclusive = r.exclusiveCpus ? Math.max(0, r.cpus - free.exclusiveIds.length) : 0;
    const relief = (p: Placement): number =>
      (shortCpu ? Math.min(1, p.milliCpus / shortCpu) : 0) +
      (shortMemory ? Math.min(1, p.request.reservation.memoryBytes / shortMemory) : 0) +
      (shortExclusive ? Math.min(1, p.exclusive.length / shortExclusive) : 0);
    candidates.sort(
      (a, b) =>
        a.request.reservation.priority - b.request.reservation.priority ||
        relief(b) - relief(a) ||
        byKey(b.request.key, a.request.key),
    );
    const victims: string[] = [];
    for (const c of candidates) {
      if (fits(r, new Set(victims))) break;
      victims.push(c.request.key);
    }
    for (const key of [...victims].reverse()) {
      const without = new Set(victims.filter((v) => v !== key));
      if (fits(r, without)) victims.splice(victims.indexOf(key), 1);
    }
    return victims;
  };

  const admissionOf = (p: Placement): Admission =>
    p.exclusive.length ? { admitted: true, cpuset: formatCpuList(p.exclusive) } : { admitted: true };

  return {
    admit(request) {
      const held = placements.get(request.key);
      // Asking again for a replica already placed (say after a daemon restart) keeps what it holds.
      if (held) return admissionOf(held);
      const r = request.reservation;
      const never = neverFits(r);
      if (never) return { admitted: false, reason: `0/1 hosts available: ${never}` };
      const free = freeWithout(new Set());
      const short = shortfalls(r, free);
      if (short.length === 0) {
        const placement: Placement = {
          request: { key: request.key, reservation: { ...r } },
          milliCpus: milli(r.cpus),
          exclusive: r.exclusiveCpus ? free.exclusiveIds.slice(0, r.cpus) : [],
        };
        placements.set(request.key, placement);
        return admissionOf(placement);
      }
      const reason = `0/1 hosts available: ${short.join(', ')}`;
      const victims = chooseVictims(request);
      if (!victims?.length) return { admitted: false, reason };
      const n = victims.length;
      return {
        admitted: false,
        reason: `${reason}; preempting ${n} lower-priority replica${n === 1 ? '' : 's'} would make room`,
        preempt: victims,
      };
    },
    release(key) {
      placements.delete(key);
    },
    placed() {
      return [...placements.values()].map((p) => ({
        key: p.request.key,
        reservation: { ...p.request.reservation },
      }));
    },
  };
}
