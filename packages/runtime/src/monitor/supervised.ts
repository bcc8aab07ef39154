import { processStart } from './process-start.js';

interface Supervisor {
  pid: number;
  /** Start time of the conmon process: a later process with the same pid is not it. */
  start: number;
}

/**
 * The conmon of each live (running or paused) container, and only those: the supervisor watch walks
 * this small map, never the container records.
 */
export class SupervisedIndex {
  private readonly byId = new Map<string, Supervisor>();

  /**
   * Starts watching the container's conmon; one already gone is lost at the next check. An unknown
   * pid (0) is not watched: losing track must never make the watch kill a container.
   */
  track(id: string, conmonPid: number): void {
    if (conmonPid <= 0) return void this.byId.delete(id);
    this.byId.set(id, { pid: conmonPid, start: processStart(conmonPid) ?? -1 });
  }

  untrack(id: string): void {
    this.byId.delete(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Whether the container's tracked conmon is still the process that was tracked. */
  alive(id: string): boolean {
    const s = this.byId.get(id);
    return s !== undefined && s.start >= 0 && processStart(s.pid) === s.start;
  }

  /** Ids of the live containers. */
  ids(): string[] {
    return [...this.byId.keys()];
  }

  /** Ids of tracked containers whose conmon has gone. */
  lost(): string[] {
    const out: string[] = [];
    for (const [id, s] of this.byId) {
      if (s.start < 0 || processStart(s.pid) !== s.start) out.push(id);
    }
    return out;
  }
}
