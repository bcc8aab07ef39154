/**
 * The contract between the stack controller and the scheduler (issue 13, item 5): admission of a replica by
 * its reservations against the host's capacity, distinct cpusets on request, priorities with preemption.
 */

export interface Reservation {
  /** CPUs reserved (deploy.resources.reservations.cpus); 0 when none. */
  cpus: number;
  /** Bytes reserved (deploy.resources.reservations.memory); 0 when none. */
  memoryBytes: number;
  /** Higher runs first and may preempt lower when the host is full (x-polis-priority); default 0. */
  priority: number;
  /** Give the replica whole CPUs of its own (x-polis-exclusive-cpus); needs cpus to be a whole number. */
  exclusiveCpus: boolean;
}

export interface PlacementRequest {
  /** `<stack>/<service>/<replica number>`: stable across restarts. */
  key: string;
  reservation: Reservation;
}

export type Admission =
  | {
      admitted: true;
      /** cpuset-cpus to run the replica with, when exclusive CPUs were asked for. */ cpuset?: string;
    }
  | {
      admitted: false;
      /** Why it stays pending, as `compose ps` and the events show it, e.g. "insufficient memory: …". */
      reason: string;
      /** Keys of lower-priority replicas whose graceful stop would make room, when preemption applies. */
      preempt?: string[];
    };

export interface Scheduler {
  /** Decides for one replica; an admitted replica holds its reservation until released. */
  admit(request: PlacementRequest): Admission;
  /** Frees a replica's reservation (it stopped, was removed, or was preempted). */
  release(key: string): void;
  /** Replicas holding reservations now. */
  placed(): PlacementRequest[];
}

export interface HostCapacity {
  cpus: number;
  memoryBytes: number;
  /** Online CPU numbers that exclusive replicas' cpusets are cut from; 0..cpus-1 when absent. */
  cpuIds?: number[];
}
